import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/**
 * POST /api/v1/applications/{module}/rotate-link-secrets: every account of the application gets
 * a new link secret, pushed to its panel (202 with the rotation operation; 409 with the reason).
 */
export function useRotateLinkSecrets() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (module: string) =>
      unwrap(
        api.POST('/api/v1/applications/{module}/rotate-link-secrets', {
          params: { path: { module } },
        }),
      ),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: applicationKeys.all }),
        qc.invalidateQueries({ queryKey: applicationKeys.operations }),
      ]),
  });
}
