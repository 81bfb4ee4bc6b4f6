import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

export interface ProfileChange {
  name?: string;
  email?: string;
  /** Required with email: the password the user signs in with. */
  current_password?: string;
}

/**
 * PATCH /api/v1/portal/profile: changes the user's own name and sign-in e-mail. The answer is a
 * message only (an e-mail change answers the same whether the address was free or in use), so
 * the profile is read again.
 */
export function useUpdateProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ProfileChange) =>
      unwrap(portalApi.PATCH('/api/v1/portal/profile', { body })),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: portalKeys.profile() }),
        qc.invalidateQueries({ queryKey: portalKeys.me() }),
      ]),
  });
}
