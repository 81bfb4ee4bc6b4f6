import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/** GET /api/v1/operations/{id}: one operation with its per-server breakdown; live while it runs. */
export const operationQueryOptions = (id: number) =>
  queryOptions({
    queryKey: [...applicationKeys.operations, 'detail', id],
    queryFn: () => unwrap(api.GET('/api/v1/operations/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => {
      const state = query.state.data?.state;
      return state === 'queued' || state === 'running' ? 2000 : false;
    },
  });

export function useOperation(id: number | undefined) {
  return useQuery({ ...operationQueryOptions(id ?? 0), enabled: id !== undefined && id > 0 });
}
