import { useMutation } from '@tanstack/react-query';
import { portalApi, portalUnwrap } from '@/lib/portal-client';

/** POST /api/v1/portal/services/{id}/sso: a one-time login URL into the service's panel. */
export function useCreatePanelSession() {
  return useMutation({
    mutationFn: (id: number) =>
      portalUnwrap(
        portalApi.POST('/api/v1/portal/services/{id}/sso', { params: { path: { id } } }),
      ),
  });
}
