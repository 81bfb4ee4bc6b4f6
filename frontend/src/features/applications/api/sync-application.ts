import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/** POST /api/v1/applications/{module}/sync: queues a repair of every account (202). */
export function useSyncApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (module: string) =>
      unwrap(api.POST('/api/v1/applications/{module}/sync', { params: { path: { module } } })),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: applicationKeys.all }),
        qc.invalidateQueries({ queryKey: applicationKeys.operations }),
      ]),
  });
}
