import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { portalApi, portalUnwrap } from '@/lib/portal-client';
import { portalKeys } from '@/portal/lib/keys';

export type PortalService = Schema<'rest.PortalService'>;

/** GET /api/v1/portal/services: the current account's services with panel_login and why not. */
export const portalServicesQueryOptions = () =>
  queryOptions({
    queryKey: portalKeys.services(),
    queryFn: () =>
      portalUnwrap(
        portalApi.GET('/api/v1/portal/services', { params: { query: { per_page: 200 } } }),
      ),
  });

export function usePortalServices() {
  return useQuery(portalServicesQueryOptions());
}
