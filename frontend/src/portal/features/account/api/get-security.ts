import { queryOptions, useQuery } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

/** GET /api/v1/portal/security: the account's Security Settings (owner only). */
export const portalSecurityQueryOptions = () =>
  queryOptions({
    queryKey: portalKeys.security(),
    queryFn: () => unwrap(portalApi.GET('/api/v1/portal/security')),
  });

export function usePortalSecurity(enabled = true) {
  return useQuery({ ...portalSecurityQueryOptions(), enabled });
}
