import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from './keys';

export type PortalMe = Schema<'rest.PortalMe'>;
export type PortalAccount = Schema<'rest.PortalAccount'>;

/** GET /api/v1/portal/me: the signed-in user, their accounts and the current one. */
export const portalMeQueryOptions = () =>
  queryOptions({
    queryKey: portalKeys.me(),
    queryFn: () => unwrap(portalApi.GET('/api/v1/portal/me')),
    staleTime: 30_000,
  });

export function usePortalMe() {
  return useQuery(portalMeQueryOptions());
}
