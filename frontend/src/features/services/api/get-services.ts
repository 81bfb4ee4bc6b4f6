import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ServicesQuery = QueryOf<'/api/v1/services'>;

/** GET /api/v1/services: one page of hosting accounts, filtered and ordered by the API. */
export const servicesQueryOptions = (query: ServicesQuery) =>
  queryOptions({
    queryKey: ['services', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/services', { params: { query } })),
    placeholderData: keepPreviousData, // no empty flash while paging or filtering
  });

export function useServices(query: ServicesQuery) {
  return useQuery(servicesQueryOptions(query));
}
