import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** GET /api/v1/admins: every staff account (permission manage_admins). */
export const adminsQueryOptions = () =>
  queryOptions({
    queryKey: ['staff', 'admins'],
    queryFn: () => unwrap(api.GET('/api/v1/admins')),
  });

export function useAdmins() {
  return useQuery(adminsQueryOptions());
}
