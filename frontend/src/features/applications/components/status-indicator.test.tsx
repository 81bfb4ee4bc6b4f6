import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { ApplicationStatus } from '../api/get-application-status';
import { describeStatus, StatusIndicator, workLeft } from './status-indicator';

const base = {
  module: 'cpanel',
  state: 'active',
  enabled: true,
  servers_total: 1,
  servers_supported: 1,
  servers_done: 1,
  accounts_total: 4,
  accounts_done: 4,
  accounts_failed: 0,
  accounts_pending: 0,
  servers_behind: 0,
  warnings: 0,
  operation: null,
} as ApplicationStatus;

const operation = (state: string) =>
  ({ id: 7, kind: 'configuration', state }) as ApplicationStatus['operation'];

describe('StatusIndicator', () => {
  it('says active with warnings and how many accounts failed for good', () => {
    render(<StatusIndicator status={{ ...base, accounts_failed: 2, warnings: 6 }} />);
    expect(screen.getByText('Active with warnings')).toBeInTheDocument();
    expect(screen.getByText(/\(2 accounts failed\)/)).toBeInTheDocument();
  });

  it('is plainly active when the warnings of the last run failed no account for good', () => {
    render(<StatusIndicator status={{ ...base, warnings: 2 }} />);
    expect(screen.getByText('Active')).toBeInTheDocument();
    expect(screen.queryByText(/warning/)).not.toBeInTheDocument();
  });

  it('is plainly active with neither', () => {
    expect(describeStatus(base).label).toBe('Active');
    expect(describeStatus({ ...base, accounts_failed: 1 }).label).toBe('Active with warnings');
  });

  it("shows the open operation's progress while it syncs", () => {
    render(
      <StatusIndicator
        status={{
          ...base,
          state: 'syncing',
          accounts_done: 40,
          accounts_total: 100,
          operation: operation('running'),
        }}
      />,
    );
    expect(screen.getByText('40/100')).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '40');
  });

  it("syncing with no operation open shows what is left, not the last operation's figures", () => {
    render(
      <StatusIndicator
        status={{
          ...base,
          state: 'syncing',
          accounts_done: 2000,
          accounts_total: 2000,
          servers_behind: 2,
          operation: operation('completed'),
        }}
      />,
    );
    expect(screen.getByText('Syncing')).toBeInTheDocument();
    expect(screen.getByText(/\(2 servers to update\)/)).toBeInTheDocument();
    expect(screen.queryByText(/2000/)).not.toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('says what is left in servers and accounts retrying', () => {
    expect(workLeft({ ...base, servers_behind: 1, accounts_pending: 3 })).toBe(
      '(1 server to update, 3 accounts retrying)',
    );
    expect(workLeft({ ...base, accounts_pending: 1 })).toBe('(1 account retrying)');
    expect(workLeft(base)).toBe('…');
  });
});
