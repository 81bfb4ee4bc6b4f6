import { useMutation, useQueryClient } from '@tanstack/react-query';
import { portalApi, portalUnwrap } from '@/lib/portal-client';
import { portalKeys } from '@/portal/lib/keys';

/** PATCH /api/v1/portal/users/{id}: replaces a user's permissions on the account (owner only). */
export function useUpdatePortalUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, permissions }: { userId: number; permissions: string[] }) =>
      portalUnwrap(
        portalApi.PATCH('/api/v1/portal/users/{id}', {
          params: { path: { id: userId } },
          body: { permissions },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: portalKeys.users() }),
  });
}
