import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';
import { getSession, setSession } from '@/lib/session';

export type RolePatch = Schema<'rest.RolePatchInput'>;

/**
 * PATCH /api/v1/roles/{id}: a new name or permission set, applied at once to every admin with
 * the role. When that is the signed-in admin's own role, the session takes the new permissions
 * so that the navigation follows at once.
 */
export function useUpdateRole() {
  const qc = useQueryClient();
  return useMutation({
    // self: the role is the signed-in admin's own.
    mutationFn: ({ id, patch }: { id: number; patch: RolePatch; self?: boolean }) =>
      unwrap(api.PATCH('/api/v1/roles/{id}', { params: { path: { id } }, body: patch })),
    onSuccess: async (role, { self }) => {
      const session = getSession();
      if (session?.admin && self) {
        setSession({ ...session, admin: { ...session.admin, permissions: role.permissions } });
        await qc.invalidateQueries({ queryKey: ['auth', 'me'] });
      }
      // The administrators list shows each admin's role name and permissions.
      await qc.invalidateQueries({ queryKey: ['staff'] });
    },
  });
}
