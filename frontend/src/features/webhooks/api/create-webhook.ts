import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type WebhookInput = Schema<'rest.WebhookInput'>;

/** POST /api/v1/webhooks: the answer carries the signing secret, this once only. */
export function useCreateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookInput) => unwrap(api.POST('/api/v1/webhooks', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['webhooks'] }),
    // The secret must not linger in the mutation cache after the dialog closes.
    gcTime: 0,
  });
}
