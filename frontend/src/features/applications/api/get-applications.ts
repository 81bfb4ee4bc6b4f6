import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

/** GET /api/v1/applications: every application with its switch and status. */
export const applicationsQueryOptions = () =>
  queryOptions({
    queryKey: applicationKeys.list(),
    queryFn: () => unwrap(api.GET('/api/v1/applications')),
  });

export function useApplications() {
  return useQuery(applicationsQueryOptions());
}
