import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/**
 * POST /api/v1/services/{id}/sync: the account gets its links pushed again (202 with the
 * repair operation; 409 with the reason when it cannot run).
 */
export function useSyncService(id: number) {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/services/{id}/sync', { params: { path: { id } } })),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: ['applications'] }),
        qc.invalidateQueries({ queryKey: ['operations'] }),
        qc.invalidateQueries({ queryKey: ['services'] }),
      ]),
  });
  return {
    ...m,
    mutate: () => {
      m.mutate();
    },
  };
}
