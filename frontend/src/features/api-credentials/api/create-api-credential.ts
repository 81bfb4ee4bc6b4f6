import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type CredentialInput = Schema<'rest.CredentialInput'>;

/** POST /api/v1/api-credentials: the answer carries the secret, this once only. */
export function useCreateApiCredential() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CredentialInput) => unwrap(api.POST('/api/v1/api-credentials', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['api-credentials'] }),
    // The secret must not linger in the mutation cache after the dialog closes.
    gcTime: 0,
  });
}
