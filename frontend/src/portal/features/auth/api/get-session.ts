import { queryOptions, useQuery } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalProbeApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

/**
 * GET /api/v1/portal/me without the 401 redirect: on the login page, tells whether the browser
 * still holds a session (e.g. a control-panel link fell back to the login page although the
 * user is signed in) and the account's state, which explains why single sign-on was refused.
 */
export const portalSessionProbeOptions = () =>
  queryOptions({
    queryKey: portalKeys.sessionProbe(),
    queryFn: () => unwrap(portalProbeApi.GET('/api/v1/portal/me')),
    retry: false,
    staleTime: 0,
  });

export function usePortalSessionProbe() {
  return useQuery(portalSessionProbeOptions());
}
