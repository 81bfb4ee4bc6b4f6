import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** PATCH /api/v1/clients/{id}/users/{userId}: replaces the user's permissions on the account. */
export function useUpdateClientUser(clientId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, permissions }: { userId: number; permissions: string[] }) =>
      unwrap(
        api.PATCH('/api/v1/clients/{id}/users/{userId}', {
          params: { path: { id: clientId, userId } },
          body: { permissions },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['clients', 'detail', clientId, 'users'] }),
  });
}
