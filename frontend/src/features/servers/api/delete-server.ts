import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** DELETE /api/v1/servers/{id} (409 while hosting accounts still use it). */
export function useDeleteServer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE('/api/v1/servers/{id}', { params: { path: { id } } })),
    onSuccess: (_data, id) => {
      qc.removeQueries({ queryKey: ['servers', 'detail', id] });
      return qc.invalidateQueries({ queryKey: ['servers', 'list'] });
    },
  });
}
