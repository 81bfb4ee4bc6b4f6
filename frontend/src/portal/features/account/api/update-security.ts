import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

/** PATCH /api/v1/portal/security: switches the account's single sign-on (owner only). */
export function useUpdateSecurity() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (allowSSO: boolean) =>
      unwrap(portalApi.PATCH('/api/v1/portal/security', { body: { allow_sso: allowSSO } })),
    onSuccess: async (sec) => {
      qc.setQueryData(portalKeys.security(), sec);
      // "Log in to cPanel" and the account summary depend on it.
      await Promise.all([
        qc.invalidateQueries({ queryKey: portalKeys.me() }),
        qc.invalidateQueries({ queryKey: portalKeys.services() }),
      ]);
    },
  });
}
