import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** GET /api/v1/api-credentials: trusted applications, revoked ones included. */
export const apiCredentialsQueryOptions = () =>
  queryOptions({
    queryKey: ['api-credentials'],
    queryFn: () => unwrap(api.GET('/api/v1/api-credentials')),
  });

export function useApiCredentials() {
  return useQuery(apiCredentialsQueryOptions());
}
