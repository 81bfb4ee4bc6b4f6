import { render, screen } from '@testing-library/react';
import { Suspense } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { lazyRoute, reloadForNewRelease } from './lazy-route';

describe('lazyRoute', () => {
  it('renders the named export of the loaded module, with its props', async () => {
    const Page = lazyRoute(
      () => Promise.resolve({ Greeting: ({ who }: { who: string }) => <p>Hello, {who}</p> }),
      'Greeting',
    );
    render(
      <Suspense fallback={<p>Loading…</p>}>
        <Page who="Ada" />
      </Suspense>,
    );
    expect(screen.getByText('Loading…')).toBeInTheDocument();
    expect(await screen.findByText('Hello, Ada')).toBeInTheDocument();
  });
});

describe('reloadForNewRelease', () => {
  it('reloads once, then lets the error show if the chunk fails again soon after', () => {
    const reload = vi.fn();
    expect(reloadForNewRelease(reload)).toBe(true);
    expect(reload).toHaveBeenCalledTimes(1);
    expect(reloadForNewRelease(reload)).toBe(false);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('reloads again when the last reload is more than a minute old', () => {
    const reload = vi.fn();
    sessionStorage.setItem('applinks.chunk-reload-at', String(Date.now() - 61_000));
    expect(reloadForNewRelease(reload)).toBe(true);
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
