import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

/** POST /api/v1/portal/login: starts the cookie session and answers the signed-in user. */
export function usePortalLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) =>
      unwrap(portalApi.POST('/api/v1/portal/login', { body })),
    onSuccess: (me) => {
      qc.removeQueries({ queryKey: portalKeys.all });
      qc.setQueryData(portalKeys.me(), me);
    },
  });
}
