import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/**
 * DELETE /api/v1/clients/{id}/users/{userId}: takes a user off the account (never the owner);
 * their client-area sessions end.
 */
export function useRemoveClientUser(clientId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: number) =>
      unwrap(
        api.DELETE('/api/v1/clients/{id}/users/{userId}', {
          params: { path: { id: clientId, userId } },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['clients', 'detail', clientId, 'users'] }),
  });
}

/** POST /api/v1/clients/{id}/owner: another user of the account becomes its owner. */
export function useTransferOwner(clientId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: number) =>
      unwrap(
        api.POST('/api/v1/clients/{id}/owner', {
          params: { path: { id: clientId } },
          body: { user_id: userId },
        }),
      ),
    onSuccess: (client) => {
      qc.setQueryData(['clients', 'detail', clientId], client);
      return qc.invalidateQueries({ queryKey: ['clients', 'detail', clientId, 'users'] });
    },
  });
}

/** DELETE /api/v1/clients/{id}: only an account without services. */
export function useDeleteClient() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE('/api/v1/clients/{id}', { params: { path: { id } } })),
    onSuccess: (_, id) => {
      qc.removeQueries({ queryKey: ['clients', 'detail', id] });
      return qc.invalidateQueries({ queryKey: ['clients', 'list'] });
    },
  });
}
