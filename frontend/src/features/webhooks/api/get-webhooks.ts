import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

/** GET /api/v1/webhooks: every subscription, paused ones included; never a secret. */
export const webhooksQueryOptions = () =>
  queryOptions({
    queryKey: ['webhooks'],
    queryFn: () => unwrap(api.GET('/api/v1/webhooks')),
  });

export function useWebhooks() {
  return useQuery(webhooksQueryOptions());
}
