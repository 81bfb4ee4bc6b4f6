import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/**
 * POST /api/v1/applications/{module}/enable: queues an activation (202 with the operation).
 * 409 when the module has no active server (the message says so) or is already enabled.
 */
export function useEnableApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (module: string) =>
      unwrap(api.POST('/api/v1/applications/{module}/enable', { params: { path: { module } } })),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: applicationKeys.all }),
        qc.invalidateQueries({ queryKey: applicationKeys.operations }),
      ]),
  });
}
