import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type AdminInput = Schema<'rest.AdminInput'>;

/** POST /api/v1/admins: a new staff account with its initial password. */
export function useCreateAdmin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AdminInput) => unwrap(api.POST('/api/v1/admins', { body })),
    // A new admin changes its role's count of holders too.
    onSuccess: () => qc.invalidateQueries({ queryKey: ['staff'] }),
    // The request carried a password: do not keep it in the mutation cache.
    gcTime: 0,
  });
}
