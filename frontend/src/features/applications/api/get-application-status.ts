import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api } from '@/lib/api-client';
import { ApiError, parseErrorBody } from '@/lib/api-error';
import { applicationKeys } from './keys';

export type ApplicationStatus = Schema<'rest.ApplicationStatus'>;
export type ApplicationState = NonNullable<ApplicationStatus['state']>;

/** States in which an operation is moving and the status changes by itself. */
const BUSY: ReadonlySet<string> = new Set(['provisioning', 'syncing', 'deprovisioning']);

/** True while provisioning work runs (or is queued) for the application. */
export function isBusy(status: ApplicationStatus | undefined): boolean {
  if (!status) return false;
  if (BUSY.has(status.state)) return true;
  const op = status.operation?.state;
  return op === 'queued' || op === 'running';
}

/** How often the status is polled while work runs. */
export const STATUS_POLL_MS = 1500;

interface Cached {
  etag: string | null;
  status: ApplicationStatus;
}

/**
 * GET /api/v1/applications/{module}/status, conditional: the last ETag goes back in
 * If-None-Match and a 304 keeps the cached status (no re-render, no layout jump).
 * Polls every STATUS_POLL_MS while the application is busy and stops when it is idle.
 */
export const applicationStatusQueryOptions = (module: string) =>
  queryOptions({
    queryKey: applicationKeys.status(module),
    queryFn: async ({ client, queryKey, signal }): Promise<Cached> => {
      const previous = client.getQueryData<Cached>(queryKey);
      const { data, error, response } = await api.GET('/api/v1/applications/{module}/status', {
        params: {
          path: { module },
          header: previous?.etag ? { 'If-None-Match': previous.etag } : {},
        },
        signal,
      });
      if (response.status === 304 && previous) return previous;
      if (!data) {
        throw new ApiError(response.status, parseErrorBody(error, response.status));
      }
      return { etag: response.headers.get('ETag'), status: data };
    },
    select: (c) => c.status,
    refetchInterval: (query) => (isBusy(query.state.data?.status) ? STATUS_POLL_MS : false),
    refetchIntervalInBackground: false,
    staleTime: 0,
  });

export function useApplicationStatus(module: string) {
  return useQuery(applicationStatusQueryOptions(module));
}
