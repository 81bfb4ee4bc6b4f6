import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ServerPatch = Schema<'rest.ServerPatch'>;

/**
 * PATCH /api/v1/servers/{id}: only the fields present change (api_token absent = keep). The
 * recent click sources are read again, since whether the list allows each may have changed.
 */
export function useUpdateServer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: ServerPatch }) =>
      unwrap(api.PATCH('/api/v1/servers/{id}', { params: { path: { id } }, body: patch })),
    onSuccess: (server) => {
      qc.setQueryData(['servers', 'detail', server.id], server);
      return Promise.all([
        qc.invalidateQueries({ queryKey: ['servers', 'list'] }),
        qc.invalidateQueries({ queryKey: ['servers', 'sso-sources', server.id] }),
      ]);
    },
  });
}
