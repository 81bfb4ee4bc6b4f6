import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { acmeService } from '@/testing/fixtures';
import { testQueryClient } from '@/testing/test-utils';
import { ServiceRowActions, type ServiceRow } from './service-row-actions';

function row(status: ServiceRow['status']) {
  const service = { ...acmeService, status } as ServiceRow;
  return (
    <ServiceRowActions
      service={service}
      linksBlocked={null}
      onEdit={vi.fn()}
      onStatus={vi.fn()}
    />
  );
}

describe('ServiceRowActions', () => {
  it('moves focus to Edit when the terminated account loses its menu', () => {
    const client = testQueryClient();
    const { rerender } = render(
      <QueryClientProvider client={client}>{row('Active')}</QueryClientProvider>,
    );
    screen.getByRole('button', { name: 'More actions for acme' }).focus();
    rerender(<QueryClientProvider client={client}>{row('Terminated')}</QueryClientProvider>);
    expect(screen.queryByRole('button', { name: 'More actions for acme' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Edit acme' })).toHaveFocus();
  });

  it('leaves focus alone when it was elsewhere', () => {
    const client = testQueryClient();
    const { rerender } = render(
      <QueryClientProvider client={client}>
        <input aria-label="Search" />
        {row('Active')}
      </QueryClientProvider>,
    );
    screen.getByRole('textbox', { name: 'Search' }).focus();
    rerender(
      <QueryClientProvider client={client}>
        <input aria-label="Search" />
        {row('Terminated')}
      </QueryClientProvider>,
    );
    expect(screen.getByRole('textbox', { name: 'Search' })).toHaveFocus();
  });
});
