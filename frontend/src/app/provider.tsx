import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { RouterProvider } from 'react-router';
import { loginUrl, setUnauthorizedHandler } from '@/lib/api-client';
import { makeQueryClient } from '@/lib/query-client';
import type { AppRouter } from './router';

/** Wires the query cache and the router, and what a 401 does: back to the right login page. */
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
      setUnauthorizedHandler(({ area, expired }) => {
        const here = router.state.location;
        queryClient.clear();
        void router.navigate(loginUrl(area, expired, here.pathname + here.search), {
          replace: true,
        });
      }),
    [router, queryClient],
  );

  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
