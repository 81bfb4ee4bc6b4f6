import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/** GET /api/v1/applications/{module} */
export const applicationQueryOptions = (module: string) =>
  queryOptions({
    queryKey: applicationKeys.detail(module),
    queryFn: () =>
      unwrap(api.GET('/api/v1/applications/{module}', { params: { path: { module } } })),
  });

export function useApplication(module: string) {
  return useQuery(applicationQueryOptions(module));
}
