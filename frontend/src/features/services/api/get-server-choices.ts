import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/**
 * GET /api/v1/servers: the servers to filter by and to place an account on (the first 200,
 * the API's page limit; a host has far fewer servers than accounts).
 */
export const serverChoicesQueryOptions = () =>
  queryOptions({
    queryKey: ['servers', 'list', { per_page: 200 }],
    queryFn: () => unwrap(api.GET('/api/v1/servers', { params: { query: { per_page: 200 } } })),
  });

export function useServerChoices() {
  return useQuery(serverChoicesQueryOptions());
}
