import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { ApplicationStatus } from '../api/get-application-status';
import { describeStatus, StatusIndicator } from './status-indicator';

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
  warnings: 0,
  operation: null,
} as ApplicationStatus;

describe('StatusIndicator', () => {
  it('says active with warnings and how many accounts failed for good', () => {
    render(<StatusIndicator status={{ ...base, accounts_failed: 2, warnings: 6 }} />);
    expect(screen.getByText('Active with warnings')).toBeInTheDocument();
    expect(screen.getByText(/\(2 accounts failed\)/)).toBeInTheDocument();
  });

  it('falls back to the warnings of the last run when no account failed', () => {
    render(<StatusIndicator status={{ ...base, warnings: 1 }} />);
    expect(screen.getByText(/\(1 warning\)/)).toBeInTheDocument();
  });

  it('is plainly active with neither', () => {
    expect(describeStatus(base).label).toBe('Active');
    expect(describeStatus({ ...base, accounts_failed: 1 }).label).toBe('Active with warnings');
  });
});
