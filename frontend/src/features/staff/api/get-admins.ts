import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type AdminsQuery = QueryOf<'/api/v1/admins'>;

/** GET /api/v1/admins: one page of staff accounts (permission manage_admins). */
export const adminsQueryOptions = (query: AdminsQuery = {}) =>
  queryOptions({
    queryKey: ['staff', 'admins', query],
    queryFn: () => unwrap(api.GET('/api/v1/admins', { params: { query } })),
    placeholderData: keepPreviousData, // no empty flash while paging
  });

export function useAdmins(query: AdminsQuery = {}) {
  return useQuery(adminsQueryOptions(query));
}
