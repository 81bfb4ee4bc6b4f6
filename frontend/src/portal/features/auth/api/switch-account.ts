import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

/** POST /api/v1/portal/switch: makes another of the user's accounts the current one. */
export function useSwitchAccount() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (clientId: number) =>
      unwrap(portalApi.POST('/api/v1/portal/switch', { body: { client_id: clientId } })),
    onSuccess: (me) => {
      // Everything cached belongs to the previous account.
      qc.removeQueries({ queryKey: portalKeys.all });
      qc.setQueryData(portalKeys.me(), me);
    },
  });
}
