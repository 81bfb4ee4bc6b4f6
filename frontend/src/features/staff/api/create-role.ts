import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type RoleInput = Schema<'rest.RoleInput'>;

/** POST /api/v1/roles: a named set of staff permissions. */
export function useCreateRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RoleInput) => unwrap(api.POST('/api/v1/roles', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['staff', 'roles'] }),
  });
}
