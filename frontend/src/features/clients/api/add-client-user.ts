import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ClientUserInput = Schema<'rest.ClientUserInput'>;

/** POST /api/v1/clients/{id}/users: invites a new or existing user onto the account. */
export function useAddClientUser(clientId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ClientUserInput) =>
      unwrap(api.POST('/api/v1/clients/{id}/users', { params: { path: { id: clientId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['clients', 'detail', clientId, 'users'] }),
  });
}
