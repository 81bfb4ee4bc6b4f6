import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** GET /api/v1/clients/{id} */
export const clientQueryOptions = (id: number) =>
  queryOptions({
    queryKey: ['clients', 'detail', id],
    queryFn: () => unwrap(api.GET('/api/v1/clients/{id}', { params: { path: { id } } })),
  });

export function useClient(id: number) {
  return useQuery(clientQueryOptions(id));
}
