import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/**
 * How many hosting accounts the application has: the total of GET /api/v1/services for the
 * module (one row asked for). Every account carries a link secret, so this is how many a
 * rotation of all secrets affects. That endpoint needs manage_clients: only asked when
 * `allowed`, and callers leave the number out when it is not known.
 */
export function useAccountCount(module: string, allowed: boolean) {
  return useQuery({
    queryKey: ['services', 'count', module],
    queryFn: () =>
      unwrap(api.GET('/api/v1/services', { params: { query: { module, per_page: 1 } } })),
    select: (page) => page.total,
    enabled: allowed,
  });
}
