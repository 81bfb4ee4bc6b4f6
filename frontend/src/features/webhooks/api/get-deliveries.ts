import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** GET /api/v1/webhooks/{id}/deliveries: the delivery log, newest first. */
export const deliveriesQueryOptions = (id: number, page: number) =>
  queryOptions({
    queryKey: ['webhooks', id, 'deliveries', page],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/webhooks/{id}/deliveries', {
          params: { path: { id }, query: { page, per_page: 20 } },
        }),
      ),
    placeholderData: keepPreviousData,
  });

export function useDeliveries(id: number, page: number) {
  return useQuery(deliveriesQueryOptions(id, page));
}
