import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

export type LogQuery = QueryOf<'/api/v1/applications/{module}/log'>;

/**
 * GET /api/v1/applications/{module}/log: entries of the last operation (or operation_id),
 * newest first unless order=oldest. `live` re-reads it while the operation runs.
 */
export const applicationLogQueryOptions = (module: string, query: LogQuery, live: boolean) =>
  queryOptions({
    queryKey: [...applicationKeys.log(module), query],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/applications/{module}/log', {
          params: { path: { module }, query },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2000 : false,
  });

export function useApplicationLog(module: string, query: LogQuery, live: boolean) {
  return useQuery(applicationLogQueryOptions(module, query, live));
}
