import { useMutation, useQueryClient } from '@tanstack/react-query';
import { portalApi, portalUnwrap } from '@/lib/portal-client';
import { portalKeys } from './keys';

/** POST /api/v1/portal/logout: clears the session cookie. */
export function usePortalLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => portalUnwrap(portalApi.POST('/api/v1/portal/logout', {})),
    onSettled: () => {
      qc.removeQueries({ queryKey: portalKeys.all });
    },
  });
}
