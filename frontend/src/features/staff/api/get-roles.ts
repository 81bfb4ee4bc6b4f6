import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type RolesQuery = QueryOf<'/api/v1/roles'>;

/** The API's largest page: the role picker asks for this many roles at once. */
export const ROLE_CHOICES = 200;

/**
 * GET /api/v1/roles: one page of staff roles with their permissions and how many
 * administrators hold each (permission manage_admins).
 */
export const rolesQueryOptions = (query: RolesQuery = {}) =>
  queryOptions({
    queryKey: ['staff', 'roles', query],
    queryFn: () => unwrap(api.GET('/api/v1/roles', { params: { query } })),
    placeholderData: keepPreviousData, // no empty flash while paging
  });

export function useRoles(query: RolesQuery = {}) {
  return useQuery(rolesQueryOptions(query));
}

/** The roles an administrator can be given: the first ROLE_CHOICES of them. */
export function useRoleChoices() {
  return useRoles({ per_page: ROLE_CHOICES });
}
