import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** GET /api/v1/roles: the staff roles and their permissions (permission manage_admins). */
export const rolesQueryOptions = () =>
  queryOptions({
    queryKey: ['staff', 'roles'],
    queryFn: () => unwrap(api.GET('/api/v1/roles')),
  });

export function useRoles() {
  return useQuery(rolesQueryOptions());
}
