import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/** GET /api/v1/applications/{module}/links: the 14 catalogue links, sorted by order. */
export const applicationLinksQueryOptions = (module: string) =>
  queryOptions({
    queryKey: applicationKeys.links(module),
    queryFn: () =>
      unwrap(api.GET('/api/v1/applications/{module}/links', { params: { path: { module } } })),
    staleTime: Infinity, // edited here only; refreshed after a save
  });

export function useApplicationLinks(module: string) {
  return useQuery(applicationLinksQueryOptions(module));
}
