import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

export type PortalSSOEvent = Schema<'rest.SSOEvent'>;

export const SSO_EVENTS_PER_PAGE = 25;

/** GET /api/v1/portal/sso-events: the account's SSO activity (the user's own unless owner). */
export const portalSSOEventsQueryOptions = (page: number) =>
  queryOptions({
    queryKey: portalKeys.ssoEvents(page),
    queryFn: () =>
      unwrap(
        portalApi.GET('/api/v1/portal/sso-events', {
          params: { query: { page, per_page: SSO_EVENTS_PER_PAGE } },
        }),
      ),
    placeholderData: keepPreviousData,
  });

export function usePortalSSOEvents(page: number) {
  return useQuery(portalSSOEventsQueryOptions(page));
}
