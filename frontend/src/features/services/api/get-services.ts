import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ServicesQuery = QueryOf<'/api/v1/services'>;

/** How often a page showing an account whose links are pending is read again. */
export const SERVICES_POLL_MS = 3000;

/** A pending account whose next attempt is further off than this does not keep the page polling. */
const SOON_MS = 60_000;

type ServicesPage = Awaited<ReturnType<typeof fetchServices>>;

/** True when an account on the page is pending and tried now or within a minute. */
function pendingSoon(page: ServicesPage | undefined): boolean {
  return (page?.items ?? []).some(
    (s) =>
      s.link_state.state === 'pending' &&
      (!s.link_state.next_attempt_at ||
        new Date(s.link_state.next_attempt_at).getTime() - Date.now() < SOON_MS),
  );
}

const fetchServices = (query: ServicesQuery) =>
  unwrap(api.GET('/api/v1/services', { params: { query } }));

/**
 * GET /api/v1/services: one page of hosting accounts, filtered and ordered by the API; read
 * again while an account on it is pending and tried soon (a sync, a rotation or a change being
 * pushed), so its Links column follows the work to its end.
 */
export const servicesQueryOptions = (query: ServicesQuery) =>
  queryOptions({
    queryKey: ['services', 'list', query],
    queryFn: () => fetchServices(query),
    placeholderData: keepPreviousData, // no empty flash while paging or filtering
    refetchInterval: (q) => (pendingSoon(q.state.data) ? SERVICES_POLL_MS : false),
  });

export function useServices(query: ServicesQuery) {
  return useQuery(servicesQueryOptions(query));
}
