import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** POST .../deliveries/{deliveryId}/redeliver: queues the message again, same webhook-id. */
export function useRedeliver(webhookId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: number) =>
      unwrap(
        api.POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', {
          params: { path: { id: webhookId, deliveryId } },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['webhooks', webhookId, 'deliveries'] }),
  });
}
