import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ServiceInput = Schema<'rest.ServiceInput'>;
export type ServicePatch = Schema<'rest.ServicePatch'>;

/** POST /api/v1/services: a new hosting account. */
export function useCreateService() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ServiceInput) => unwrap(api.POST('/api/v1/services', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['services'] }),
  });
}

/**
 * PATCH /api/v1/services/{id}: only the fields given change (status for suspend, unsuspend and
 * terminate; server_id moves the account).
 */
export function useUpdateService() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: ServicePatch }) =>
      unwrap(api.PATCH('/api/v1/services/{id}', { params: { path: { id } }, body: patch })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['services'] }),
  });
}
