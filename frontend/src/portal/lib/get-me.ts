import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { portalApi, portalUnwrap } from '@/lib/portal-client';
import { portalKeys } from './keys';

export type PortalMe = Schema<'rest.PortalMe'>;
export type PortalAccount = Schema<'rest.PortalAccount'>;

/** GET /api/v1/portal/me: the signed-in user, their accounts and the current one. */
export const portalMeQueryOptions = () =>
  queryOptions({
    queryKey: portalKeys.me(),
    queryFn: () => portalUnwrap(portalApi.GET('/api/v1/portal/me')),
    staleTime: 30_000,
  });

export function usePortalMe() {
  return useQuery(portalMeQueryOptions());
}
