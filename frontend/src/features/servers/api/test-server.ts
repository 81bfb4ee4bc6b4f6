import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/**
 * POST /api/v1/servers/{id}/test: connects to the panel and reports version, profile and
 * whether it supports application links. The server's detected fields change with it.
 */
export function useTestServer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/servers/{id}/test', { params: { path: { id } } })),
    onSuccess: (result, id) => {
      qc.setQueryData(['servers', 'detail', id], result.server);
      return qc.invalidateQueries({ queryKey: ['servers', 'list'] });
    },
  });
}
