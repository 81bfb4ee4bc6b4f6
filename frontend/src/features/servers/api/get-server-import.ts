import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';
import { ApiError } from '@/lib/api-error';

type ImportJob = Schema<'rest.ImportJob'>;

/** How often a running import is polled. */
export const IMPORT_POLL_MS = 1000;

export const serverImportKey = (id: number) => ['server-imports', id] as const;

/** True while the job is waiting for a worker or being applied. */
export function isImportRunning(job: ImportJob | null | undefined): boolean {
  return job?.state === 'queued' || job?.state === 'running';
}

/**
 * GET /api/v1/servers/{id}/import: the server's running import job, or its last one; null when
 * the server was never imported (404). Polls every IMPORT_POLL_MS while the job runs, so a
 * page opened (or reloaded) in the middle of an import shows its progress.
 */
export const serverImportQueryOptions = (id: number) =>
  queryOptions({
    queryKey: serverImportKey(id),
    queryFn: async (): Promise<ImportJob | null> => {
      try {
        return await unwrap(api.GET('/api/v1/servers/{id}/import', { params: { path: { id } } }));
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
    refetchInterval: (query) => (isImportRunning(query.state.data) ? IMPORT_POLL_MS : false),
    staleTime: 0,
  });

/**
 * The server's import job. When a job it watched running finishes, the lists an import changes
 * (servers' service counts, clients, services) are refreshed.
 */
export function useServerImport(id: number) {
  const qc = useQueryClient();
  const q = useQuery(serverImportQueryOptions(id));
  const wasRunning = useRef(false);
  const running = isImportRunning(q.data);
  useEffect(() => {
    if (wasRunning.current && !running) {
      void Promise.all([
        qc.invalidateQueries({ queryKey: ['servers'] }),
        qc.invalidateQueries({ queryKey: ['clients'] }),
        qc.invalidateQueries({ queryKey: ['services'] }),
      ]);
    }
    wasRunning.current = running;
  }, [running, qc]);
  return q;
}
