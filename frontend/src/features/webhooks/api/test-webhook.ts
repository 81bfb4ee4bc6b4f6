import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** POST /api/v1/webhooks/{id}/test: sends a webhook.test message now and answers its delivery. */
export function useTestWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/webhooks/{id}/test', { params: { path: { id } } })),
    onSuccess: (_d, id) => qc.invalidateQueries({ queryKey: ['webhooks', id, 'deliveries'] }),
  });
}
