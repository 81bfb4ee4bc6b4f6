import { useMutation, useQueryClient } from '@tanstack/react-query';
import { portalApi, portalUnwrap } from '@/lib/portal-client';
import { portalKeys } from './keys';

/** PATCH /api/v1/portal/profile: changes the user's own name and e-mail. */
export function useUpdateProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; email?: string }) =>
      portalUnwrap(portalApi.PATCH('/api/v1/portal/profile', { body })),
    onSuccess: (user) => {
      qc.setQueryData(portalKeys.profile(), user);
      return qc.invalidateQueries({ queryKey: portalKeys.me() });
    },
  });
}
