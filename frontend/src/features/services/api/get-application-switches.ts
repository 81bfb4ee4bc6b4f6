import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/**
 * GET /api/v1/applications, read for its switches: which applications have their links enabled
 * (module → enabled). Same query key as the Application Links page, so both share one cache.
 * Only asked when `allowed` (the endpoint needs configure_application_links).
 */
export function useApplicationSwitches(allowed: boolean) {
  return useQuery({
    queryKey: ['applications', 'list'],
    queryFn: () => unwrap(api.GET('/api/v1/applications')),
    select: (apps) => new Map(apps.map((a) => [a.module, a.enabled])),
    enabled: allowed,
  });
}
