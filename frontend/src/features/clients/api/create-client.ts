import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ClientInput = Schema<'rest.ClientInput'>;

/** POST /api/v1/clients: creates the client and its owner. */
export function useCreateClient() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ClientInput) => unwrap(api.POST('/api/v1/clients', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['clients', 'list'] }),
  });
}
