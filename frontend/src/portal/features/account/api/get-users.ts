import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { portalApi, portalUnwrap } from '@/lib/portal-client';
import { portalKeys } from '@/portal/lib/keys';

export type PortalMembership = Schema<'links.Membership'>;

/** GET /api/v1/portal/users: the account's users and their permissions (owner only). */
export const portalUsersQueryOptions = () =>
  queryOptions({
    queryKey: portalKeys.users(),
    queryFn: () => portalUnwrap(portalApi.GET('/api/v1/portal/users')),
  });

export function usePortalUsers(enabled = true) {
  return useQuery({ ...portalUsersQueryOptions(), enabled });
}
