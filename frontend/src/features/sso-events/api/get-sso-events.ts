import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type SSOEventsQuery = QueryOf<'/api/v1/sso/events'>;

/** GET /api/v1/sso/events: the single sign-on audit, newest first. */
export const ssoEventsQueryOptions = (query: SSOEventsQuery) =>
  queryOptions({
    queryKey: ['sso-events', query],
    queryFn: () => unwrap(api.GET('/api/v1/sso/events', { params: { query } })),
    placeholderData: keepPreviousData,
  });

export function useSSOEvents(query: SSOEventsQuery) {
  return useQuery(ssoEventsQueryOptions(query));
}
