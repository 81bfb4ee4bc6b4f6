import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ServerSSOSources = Schema<'rest.ServerSSOSources'>;
export type SSOSourceSeen = Schema<'rest.SSOSourceSeen'>;

/**
 * GET /api/v1/servers/{id}/sso-sources: where the server's cPanel clicks came from in the last
 * 30 days, and whether its current list of SSO source addresses allows each address.
 */
export const serverSSOSourcesQueryOptions = (id: number) =>
  queryOptions({
    queryKey: ['servers', 'sso-sources', id],
    queryFn: () =>
      unwrap(api.GET('/api/v1/servers/{id}/sso-sources', { params: { path: { id } } })),
  });

export function useServerSSOSources(id: number) {
  return useQuery(serverSSOSourcesQueryOptions(id));
}
