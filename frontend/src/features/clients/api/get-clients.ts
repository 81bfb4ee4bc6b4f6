import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ClientsQuery = QueryOf<'/api/v1/clients'>;

/** GET /api/v1/clients: one page of clients, searched by name or email, filtered by status. */
export const clientsQueryOptions = (query: ClientsQuery = {}) =>
  queryOptions({
    queryKey: ['clients', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/clients', { params: { query } })),
    placeholderData: keepPreviousData,
  });

export function useClients(query: ClientsQuery = {}) {
  return useQuery(clientsQueryOptions(query));
}
