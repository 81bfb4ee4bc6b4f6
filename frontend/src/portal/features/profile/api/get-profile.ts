import { queryOptions, useQuery } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

/** GET /api/v1/portal/profile: the signed-in user's own profile. */
export const portalProfileQueryOptions = () =>
  queryOptions({
    queryKey: portalKeys.profile(),
    queryFn: () => unwrap(portalApi.GET('/api/v1/portal/profile')),
  });

export function usePortalProfile() {
  return useQuery(portalProfileQueryOptions());
}
