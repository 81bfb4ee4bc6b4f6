import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

/**
 * POST /api/v1/portal/logout: clears the session cookie. The caller leaves the signed-in pages
 * first and then calls `clear()`, so that no mounted query asks again and meets a 401.
 */
export function usePortalLogout() {
  const qc = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => unwrap(portalApi.POST('/api/v1/portal/logout', {})),
    onSettled: () => {
      qc.removeQueries({ queryKey: portalKeys.sessionProbe() });
    },
  });
  return {
    ...mutation,
    clear: () => {
      qc.removeQueries({ queryKey: portalKeys.all });
    },
  };
}
