import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

export type PortalMembership = Schema<'rest.MembershipAnswer'>;

/** GET /api/v1/portal/users: the account's users and their permissions (owner only). */
export const portalUsersQueryOptions = () =>
  queryOptions({
    queryKey: portalKeys.users(),
    queryFn: () => unwrap(portalApi.GET('/api/v1/portal/users')),
  });

export function usePortalUsers(enabled = true) {
  return useQuery({ ...portalUsersQueryOptions(), enabled });
}
