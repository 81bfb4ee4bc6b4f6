import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type ServersQuery = QueryOf<'/api/v1/servers'>;

/** GET /api/v1/servers: one page of servers, filtered by module, active and a search text. */
export const serversQueryOptions = (query: ServersQuery = {}) =>
  queryOptions({
    queryKey: ['servers', 'list', query],
    queryFn: () => unwrap(api.GET('/api/v1/servers', { params: { query } })),
    placeholderData: keepPreviousData, // no empty flash while paging or searching
  });

export function useServers(query: ServersQuery = {}) {
  return useQuery(serversQueryOptions(query));
}
