import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** GET /api/v1/services?client_id=: the client's hosting accounts. */
export const clientServicesQueryOptions = (clientId: number) =>
  queryOptions({
    queryKey: ['clients', 'detail', clientId, 'services'],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/services', { params: { query: { client_id: clientId, per_page: 100 } } }),
      ),
  });

export function useClientServices(clientId: number) {
  return useQuery(clientServicesQueryOptions(clientId));
}
