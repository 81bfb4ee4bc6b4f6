import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { LinkStateCell, type LinkState } from './link-state';

const base: LinkState = {
  state: 'up_to_date',
  last_error: '',
  attempts: 0,
  next_attempt_at: null,
  confirmed_at: null,
  hold_reason: '',
};

describe('LinkStateCell', () => {
  it('shows a failed account with its last error and attempts', () => {
    render(
      <LinkStateCell
        state={{
          ...base,
          state: 'failed',
          attempts: 3,
          last_error: 'You do not have access to acct2.',
        }}
      />,
    );
    expect(screen.getByText('Failed')).toBeInTheDocument();
    expect(screen.getByText('You do not have access to acct2.')).toBeInTheDocument();
    expect(screen.getByText(/3 attempts/)).toBeInTheDocument();
  });

  it('shows when a pending account is tried next', () => {
    render(
      <LinkStateCell
        state={{ ...base, state: 'pending', attempts: 1, next_attempt_at: '2026-12-06T10:00:00Z' }}
      />,
    );
    expect(screen.getByText('Pending')).toBeInTheDocument();
    expect(screen.getByText(/Next attempt/)).toBeInTheDocument();
  });

  it('shows an up-to-date account with no error and when it was confirmed', () => {
    render(<LinkStateCell state={{ ...base, confirmed_at: '2026-12-06T09:00:00Z' }} />);
    expect(screen.getByText('Up to date')).toBeInTheDocument();
    expect(screen.getByText(/Confirmed/)).toBeInTheDocument();
    expect(screen.queryByText(/attempt/)).not.toBeInTheDocument();
  });

  it('says why an account on a server left alone is on hold', () => {
    render(
      <LinkStateCell
        state={{
          ...base,
          state: 'held',
          hold_reason: 'Server cp2 is deactivated: its accounts are left as they are.',
        }}
      />,
    );
    expect(screen.getByText('On hold')).toBeInTheDocument();
    expect(screen.getByText(/Server cp2 is deactivated/)).toBeInTheDocument();
  });

  it('says an account without links has none', () => {
    render(<LinkStateCell state={{ ...base, state: 'none' }} />);
    expect(screen.getByText('No links')).toBeInTheDocument();
  });
});
