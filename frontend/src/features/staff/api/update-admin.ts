import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';
import { getSession, setSession } from '@/lib/session';

export type AdminPatch = Schema<'rest.AdminPatchInput'>;

/**
 * PATCH /api/v1/admins/{id}: name, role, active, new password. When the signed-in admin
 * changes their own account, the session takes the new name and permissions so that the
 * navigation follows at once.
 */
export function useUpdateAdmin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: AdminPatch }) =>
      unwrap(api.PATCH('/api/v1/admins/{id}', { params: { path: { id } }, body: patch })),
    onSuccess: async (admin) => {
      const session = getSession();
      if (session?.admin?.id === admin.id) {
        setSession({
          ...session,
          admin: {
            ...session.admin,
            name: admin.name,
            email: admin.email,
            permissions: admin.permissions,
          },
        });
        await qc.invalidateQueries({ queryKey: ['auth', 'me'] });
      }
      // A role change moves the admin between the roles' counts of holders too.
      await qc.invalidateQueries({ queryKey: ['staff'] });
    },
    gcTime: 0,
  });
}
