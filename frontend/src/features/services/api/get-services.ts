import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ServicesQuery = QueryOf<'/api/v1/services'>;

/** How often a page showing an account whose links are pending is read again. */
export const SERVICES_POLL_MS = 3000;

/**
 * GET /api/v1/services: one page of hosting accounts, filtered and ordered by the API; read
 * again while an account on it is pending (a sync, a rotation or a change being pushed), so its
 * Links column follows the work to its end.
 */
export const servicesQueryOptions = (query: ServicesQuery) =>
  queryOptions({
    queryKey: ['services', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/services', { params: { query } })),
    placeholderData: keepPreviousData, // no empty flash while paging or filtering
    refetchInterval: (q) =>
      q.state.data?.items.some((s) => s.link_state.state === 'pending') ? SERVICES_POLL_MS : false,
  });

export function useServices(query: ServicesQuery) {
  return useQuery(servicesQueryOptions(query));
}
