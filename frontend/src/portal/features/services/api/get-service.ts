import { queryOptions, useQuery } from '@tanstack/react-query';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

/** GET /api/v1/portal/services/{id}: one service of the current account. */
export const portalServiceQueryOptions = (id: number) =>
  queryOptions({
    queryKey: portalKeys.service(id),
    queryFn: () =>
      unwrap(portalApi.GET('/api/v1/portal/services/{id}', { params: { path: { id } } })),
  });

export function usePortalService(id: number) {
  return useQuery({ ...portalServiceQueryOptions(id), enabled: Number.isInteger(id) && id > 0 });
}
