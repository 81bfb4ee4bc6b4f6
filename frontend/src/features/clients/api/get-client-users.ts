import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** GET /api/v1/clients/{id}/users: the account's users with their permissions. */
export const clientUsersQueryOptions = (id: number) =>
  queryOptions({
    queryKey: ['clients', 'detail', id, 'users'],
    queryFn: () => unwrap(api.GET('/api/v1/clients/{id}/users', { params: { path: { id } } })),
  });

export function useClientUsers(id: number) {
  return useQuery(clientUsersQueryOptions(id));
}
