import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { LogFilters, type LogFilterValues } from './log-filters';

const download = vi.hoisted(() => vi.fn(() => Promise.resolve()));
vi.mock('../api/download-application-log', () => ({ downloadApplicationLog: download }));

const values: LogFilterValues = { level: '', server: '', account: '', q: '', order: '' };

function renderFilters(v: Partial<LogFilterValues> = {}) {
  const onChange = vi.fn();
  render(
    <LogFilters
      module="cpanel"
      values={{ ...values, ...v }}
      servers={[{ server_id: 1, server_name: 'cp1' }]}
      csvQuery={{ account: 'acct1', q: 'refused' }}
      onChange={onChange}
    />,
  );
  return onChange;
}

describe('LogFilters', () => {
  it('toggles between newest first (the default) and oldest first', () => {
    const onChange = renderFilters();
    fireEvent.click(screen.getByRole('button', { name: 'Newest first' }));
    expect(onChange).toHaveBeenCalledWith('order', 'oldest');
  });

  it('goes back to the default from oldest first', () => {
    const onChange = renderFilters({ order: 'oldest' });
    const toggle = screen.getByRole('button', { name: 'Oldest first' });
    expect(toggle).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(toggle);
    expect(onChange).toHaveBeenCalledWith('order', '');
  });

  it('reports the account and the message search after typing', async () => {
    const onChange = renderFilters();
    fireEvent.change(screen.getByLabelText('Account'), { target: { value: ' acct2 ' } });
    fireEvent.change(screen.getByLabelText('Search messages'), { target: { value: 'refused' } });
    await waitFor(() => {
      expect(onChange).toHaveBeenCalledWith('account', 'acct2');
      expect(onChange).toHaveBeenCalledWith('q', 'refused');
    });
  });

  it('downloads the CSV of the current filters', async () => {
    renderFilters();
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => {
      expect(download).toHaveBeenCalledWith('cpanel', { account: 'acct1', q: 'refused' });
    });
  });
});
