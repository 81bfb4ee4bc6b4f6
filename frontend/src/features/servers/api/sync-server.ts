import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/**
 * POST /api/v1/servers/{id}/sync: every account of the server gets its links pushed again
 * (202 with the repair operation; 409 with the reason when it cannot run).
 */
export function useSyncServer(id: number) {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/servers/{id}/sync', { params: { path: { id } } })),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: ['applications'] }),
        qc.invalidateQueries({ queryKey: ['operations'] }),
      ]),
  });
  return {
    ...m,
    mutate: () => {
      m.mutate();
    },
  };
}
