import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

/** PATCH /api/v1/portal/users/{id}: replaces a user's permissions on the account (owner only). */
export function useUpdatePortalUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, permissions }: { userId: number; permissions: string[] }) =>
      unwrap(
        portalApi.PATCH('/api/v1/portal/users/{id}', {
          params: { path: { id: userId } },
          body: { permissions },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: portalKeys.users() }),
  });
}
