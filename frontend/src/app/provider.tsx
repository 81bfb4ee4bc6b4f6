import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { RouterProvider } from 'react-router';
import { setUnauthorizedHandler } from '@/lib/api-client';
import { makeQueryClient } from '@/lib/query-client';
import type { AppRouter } from './router';

/**
 * Wires the query cache and the router, and what a staff 401 does: back to /login (the client
 * area's shell sets its own).
 */
export function AppProvider({
  router,
  queryClient: given,
}: {
  router: AppRouter;
  queryClient?: QueryClient;
}) {
  const [queryClient] = useState(() => given ?? makeQueryClient());

  useEffect(
    () =>
      setUnauthorizedHandler('staff', {
        navigate: (url) => {
          queryClient.clear();
          void router.navigate(url, { replace: true });
        },
        here: () => router.state.location.pathname + router.state.location.search,
      }),
    [router, queryClient],
  );

  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
