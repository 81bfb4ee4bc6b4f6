import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

export type OperationsQuery = QueryOf<'/api/v1/operations'>;

/**
 * GET /api/v1/operations: provisioning history, newest first. Re-read every few seconds while
 * one of the listed operations is queued or running (or when the caller knows work runs).
 */
export const operationsQueryOptions = (query: OperationsQuery, live = false) =>
  queryOptions({
    queryKey: [...applicationKeys.operations, 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/operations', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => {
      const running = (q.state.data?.items ?? []).some(
        (o) => o.state === 'queued' || o.state === 'running',
      );
      return live || running ? 3000 : false;
    },
  });

export function useOperations(query: OperationsQuery, live = false) {
  return useQuery(operationsQueryOptions(query, live));
}
