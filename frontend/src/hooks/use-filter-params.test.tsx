import { act, render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';
import { useFilterParams } from './use-filter-params';

const DEPENDENTS = { resource: ['id'] } as const;

/** Two filters set in one go, as a fast hand (or a browser test) changes two selects. */
function Filters() {
  const { params, update } = useFilterParams(DEPENDENTS);
  return (
    <>
      <output aria-label="query">{params.toString()}</output>
      <button
        onClick={() => {
          update('resource', 'role');
          update('action', 'update');
        }}
      >
        Both
      </button>
    </>
  );
}

describe('useFilterParams', () => {
  it('keeps both of two filters changed before the page renders again', async () => {
    const router = createMemoryRouter([{ path: '/audit', element: <Filters /> }], {
      initialEntries: ['/audit?page=3&id=7'],
    });
    render(<RouterProvider router={router} />);
    await act(async () => {
      screen.getByRole('button', { name: 'Both' }).click();
      await Promise.resolve();
    });
    const query = new URLSearchParams(router.state.location.search);
    expect(query.get('resource')).toBe('role');
    expect(query.get('action')).toBe('update');
    expect(query.has('page')).toBe(false); // a new filter starts on page 1
    expect(query.has('id')).toBe(false); // a dependent of resource
    expect(screen.getByLabelText('query').textContent).toBe(query.toString());
  });
});
