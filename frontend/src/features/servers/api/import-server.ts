import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';
import { serverImportKey } from './get-server-import';

export type ImportResult = Schema<'rest.ImportResult'>;
export type ImportJob = Schema<'rest.ImportJob'>;

function postImport(id: number, dryRun: boolean) {
  return unwrap(
    api.POST('/api/v1/servers/{id}/import', {
      params: { path: { id } },
      body: { dry_run: dryRun, match: 'email' },
    }),
  );
}

/** True for the answer of a real run that started a job (202), not a preview. */
export function isImportJob(answer: ImportResult | ImportJob): answer is ImportJob {
  return 'state' in answer;
}

/**
 * POST /api/v1/servers/{id}/import with `dry_run`: lists the server's accounts and tells what
 * importing them would do (the counts and the first 100 rows of each kind). Writes nothing.
 */
export function usePreviewImport(id: number) {
  return useMutation({
    mutationFn: async (): Promise<ImportResult> => {
      const answer = await postImport(id, true);
      if (isImportJob(answer)) throw new Error('The preview started an import.');
      return answer;
    },
  });
}

/**
 * POST /api/v1/servers/{id}/import, a real run: 202 with the background job, which
 * useServerImport then follows (its cache is seeded with the queued job). A server that lists
 * no account answers the empty result with its message instead, and starts nothing.
 */
export function useStartImport(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => postImport(id, false),
    onSuccess: (answer) => {
      if (isImportJob(answer)) {
        qc.setQueryData(serverImportKey(id), answer);
        return qc.invalidateQueries({ queryKey: serverImportKey(id) });
      }
      return undefined;
    },
  });
}
