import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ComponentProps } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api-error';
import { testQueryClient } from '@/testing/test-utils';
import { EmptyState, ListState } from './states';

/** ListState over a real query whose fetch is `queryFn`. */
function Things({
  queryFn,
  errorView,
}: {
  queryFn: () => Promise<string[]>;
  errorView?: ComponentProps<typeof ListState>['errorView'];
}) {
  const query = useQuery({ queryKey: ['things'], queryFn });
  return (
    <ListState
      query={query}
      loading="Loading things…"
      errorTitle="Could not load the things"
      errorView={errorView}
      empty={<EmptyState title="No things yet" />}
    >
      {(things) => (
        <ul aria-label="Things">
          {things.map((t) => (
            <li key={t}>{t}</li>
          ))}
        </ul>
      )}
    </ListState>
  );
}

function renderThings(props: ComponentProps<typeof Things>) {
  return render(
    <QueryClientProvider client={testQueryClient()}>
      <Things {...props} />
    </QueryClientProvider>,
  );
}

const unavailable = () =>
  Promise.reject(new ApiError(503, { code: 'unavailable', message: 'Down' }));

describe('ListState', () => {
  it('shows the spinner while pending, then the items', async () => {
    let resolve: (v: string[]) => void = () => undefined;
    renderThings({
      queryFn: () =>
        new Promise((r) => {
          resolve = r;
        }),
    });
    expect(screen.getByRole('status')).toHaveTextContent('Loading things…');
    expect(screen.queryByRole('list')).not.toBeInTheDocument();

    resolve(['one', 'two']);
    const list = await screen.findByRole('list', { name: 'Things' });
    expect(list).toHaveTextContent('onetwo');
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.queryByText('No things yet')).not.toBeInTheDocument();
  });

  it('shows the empty state, not the children, for an empty list', async () => {
    renderThings({ queryFn: () => Promise.resolve([]) });
    expect(await screen.findByText('No things yet')).toBeInTheDocument();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('shows the error with its message and retries on Try again', async () => {
    const queryFn = vi
      .fn<() => Promise<string[]>>()
      .mockImplementationOnce(unavailable)
      .mockResolvedValueOnce(['three']);
    renderThings({ queryFn });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the things');
    expect(alert).toHaveTextContent('Down');
    expect(screen.queryByRole('list')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('list', { name: 'Things' })).toHaveTextContent('three');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(queryFn).toHaveBeenCalledTimes(2);
  });

  it('hands the error, title and retry to a custom error view', async () => {
    const errorView = vi.fn(
      ({ error, title }: { error: unknown; title: string; onRetry: () => void }) => (
        <p>
          {title}: {error instanceof ApiError ? String(error.status) : 'other'}
        </p>
      ),
    );
    renderThings({ queryFn: unavailable, errorView });

    expect(await screen.findByText('Could not load the things: 503')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(errorView.mock.lastCall?.[0].onRetry).toBeTypeOf('function');
  });
});
