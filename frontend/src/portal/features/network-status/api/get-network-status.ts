import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { unwrap } from '@/lib/api-client';
import { portalApi } from '@/portal/lib/api-client';
import { portalKeys } from '@/portal/lib/keys';

export type PortalServerStatus = Schema<'rest.PortalServerStatus'>;

/** How often the network status page asks again (milliseconds). */
export const NETWORK_STATUS_POLL_MS = 15_000;

/** GET /api/v1/portal/network-status: the servers of the account's services, polled. */
export const networkStatusQueryOptions = () =>
  queryOptions({
    queryKey: portalKeys.networkStatus(),
    queryFn: () => unwrap(portalApi.GET('/api/v1/portal/network-status')),
    refetchInterval: NETWORK_STATUS_POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });

export function useNetworkStatus() {
  return useQuery(networkStatusQueryOptions());
}
