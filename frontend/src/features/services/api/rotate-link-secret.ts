import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/**
 * POST /api/v1/services/{id}/rotate-link-secret: the account gets a new link secret, pushed to
 * its panel (202 with the rotation operation; 409 with the reason when it cannot run).
 */
export function useRotateLinkSecret() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/services/{id}/rotate-link-secret', { params: { path: { id } } })),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: ['applications'] }),
        qc.invalidateQueries({ queryKey: ['operations'] }),
        qc.invalidateQueries({ queryKey: ['services'] }),
      ]),
  });
}
