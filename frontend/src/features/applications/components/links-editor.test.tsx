import { QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';
import { testQueryClient } from '@/testing/test-utils';
import { LinksEditor } from './links-editor';
import type { Link } from './links-model';

const base = {
  enabled: true,
  route: '',
  target: 'client_area',
  url_template: '',
  handoff: false,
  custom: false,
} as const;
const links: Link[] = [
  {
    ...base,
    key: 'invoice_history',
    group: 'account',
    default_label: 'View Invoice History',
    label: 'View Invoice History',
    order: 1,
    route: '/portal/invoices',
  },
  {
    ...base,
    key: 'custom_status',
    group: 'custom',
    default_label: 'Service status',
    label: 'Service status',
    order: 2,
    route: '/portal/services',
    custom: true,
  },
];

function renderEditor() {
  const router = createMemoryRouter([
    { path: '*', element: <LinksEditor module="cpanel" links={links} enabled={false} /> },
  ]);
  render(
    <QueryClientProvider client={testQueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return within(screen.getByRole('region', { name: 'Custom links' }));
}

describe('LinksEditor custom links', () => {
  it('edits, removes and adds custom links in the same list', () => {
    const custom = renderEditor();
    const path = custom.getByLabelText('Client-area path for Service status');
    expect(path).toHaveValue('/portal/services');
    fireEvent.change(path, { target: { value: '/api/v1' } });
    expect(custom.getByText(/Enter a client-area path under \/portal/)).toBeInTheDocument();
    expect(screen.getByText('You have unsaved changes.')).toBeInTheDocument();

    fireEvent.click(custom.getByRole('button', { name: 'Remove Service status' }));
    expect(custom.queryByLabelText('Client-area path for Service status')).toBeNull();

    fireEvent.change(custom.getByLabelText('Key of the new custom link'), {
      target: { value: 'pay' },
    });
    fireEvent.change(custom.getByLabelText('Label of the new custom link'), {
      target: { value: 'Pay online' },
    });
    fireEvent.click(custom.getByRole('button', { name: 'Add custom link' }));
    expect(custom.getByLabelText('Client-area path for Pay online')).toHaveValue('/portal');
    expect(custom.getByText('custom_pay')).toBeInTheDocument();
    // The catalogue link has no path of its own and cannot be removed.
    expect(screen.queryByRole('button', { name: 'Remove View Invoice History' })).toBeNull();
  });
});
