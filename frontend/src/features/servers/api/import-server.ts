import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/**
 * POST /api/v1/servers/{id}/import: lists the server's accounts and imports them, or with
 * `dryRun` only tells what would happen (nothing written). A real run changes the server's
 * service count and the clients and services lists.
 */
export function useImportServer(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (dryRun: boolean) =>
      unwrap(
        api.POST('/api/v1/servers/{id}/import', {
          params: { path: { id } },
          body: { dry_run: dryRun, match: 'email' },
        }),
      ),
    onSuccess: (result) => {
      if (result.dry_run) return;
      return Promise.all([
        qc.invalidateQueries({ queryKey: ['servers'] }),
        qc.invalidateQueries({ queryKey: ['clients'] }),
        qc.invalidateQueries({ queryKey: ['services'] }),
      ]);
    },
  });
}
