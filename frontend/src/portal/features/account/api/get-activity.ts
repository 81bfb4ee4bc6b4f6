import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

export const ACTIVITY_PER_PAGE = 25;

/**
 * GET /api/v1/portal/activity: the changes made in the client area to the current account,
 * newest first (owner only).
 */
export const portalActivityQueryOptions = (page: number) =>
  queryOptions({
    queryKey: portalKeys.activity(page),
    queryFn: () =>
      unwrap(
        portalApi.GET('/api/v1/portal/activity', {
          params: { query: { page, per_page: ACTIVITY_PER_PAGE } },
        }),
      ),
    placeholderData: keepPreviousData,
    // Each change in Security Settings or User Management adds a record: always ask again.
    staleTime: 0,
  });

export function usePortalActivity(page: number) {
  return useQuery(portalActivityQueryOptions(page));
}
