import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { QueryOf } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';

export type AuditQuery = QueryOf<'/api/v1/audit'>;

/** GET /api/v1/audit: the staff audit trail, newest first. */
export const auditQueryOptions = (query: AuditQuery) =>
  queryOptions({
    queryKey: ['audit', query],
    queryFn: () => unwrap(api.GET('/api/v1/audit', { params: { query } })),
    placeholderData: keepPreviousData,
    // Any change anywhere adds a record: opening the page always asks again.
    staleTime: 0,
  });

export function useAudit(query: AuditQuery) {
  return useQuery(auditQueryOptions(query));
}
