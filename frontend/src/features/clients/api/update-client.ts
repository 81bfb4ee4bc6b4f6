import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ClientPatch = Schema<'rest.ClientPatch'>;

/** PATCH /api/v1/clients/{id}: name, email, status, allow_sso. */
export function useUpdateClient() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: ClientPatch }) =>
      unwrap(api.PATCH('/api/v1/clients/{id}', { params: { path: { id } }, body: patch })),
    onSuccess: (client, { id }) => {
      qc.setQueryData(['clients', 'detail', id], client);
      return qc.invalidateQueries({ queryKey: ['clients', 'list'] });
    },
  });
}
