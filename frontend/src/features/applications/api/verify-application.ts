import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/**
 * POST /api/v1/applications/{module}/verify: every account's links are read back and the
 * accounts that differ are repaired (202 with the verify operation; 409 with the reason).
 */
export function useVerifyApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (module: string) =>
      unwrap(api.POST('/api/v1/applications/{module}/verify', { params: { path: { module } } })),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: applicationKeys.all }),
        qc.invalidateQueries({ queryKey: applicationKeys.operations }),
      ]),
  });
}
