import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

export type PortalService = Schema<'rest.PortalService'>;

/** GET /api/v1/portal/services: the current account's services with panel_login and why not. */
export const portalServicesQueryOptions = () =>
  queryOptions({
    queryKey: portalKeys.services(),
    queryFn: () =>
      unwrap(portalApi.GET('/api/v1/portal/services', { params: { query: { per_page: 200 } } })),
  });

export function usePortalServices() {
  return useQuery(portalServicesQueryOptions());
}
