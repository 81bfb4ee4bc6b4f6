import { useMutation } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';

/** POST /api/v1/portal/services/{id}/sso: a one-time login URL into the service's panel. */
export function useCreatePanelSession() {
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(portalApi.POST('/api/v1/portal/services/{id}/sso', { params: { path: { id } } })),
  });
}
