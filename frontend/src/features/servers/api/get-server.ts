import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** GET /api/v1/servers/{id} */
export const serverQueryOptions = (id: number) =>
  queryOptions({
    queryKey: ['servers', 'detail', id],
    queryFn: () => unwrap(api.GET('/api/v1/servers/{id}', { params: { path: { id } } })),
  });

export function useServer(id: number) {
  return useQuery(serverQueryOptions(id));
}
