import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ServerInput = Schema<'rest.ServerInput'>;

/** POST /api/v1/servers */
export function useCreateServer() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ServerInput) => unwrap(api.POST('/api/v1/servers', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['servers'] }),
  });
}
