import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';

type Server = Schema<'rest.ServerAnswer'>;

/** Whether the last check found application-link support; unknown until tested. */
export function ServerSupport({ server }: { server: Server }) {
  if (server.supports_links === null || !server.checked_at) {
    return <Badge tone="neutral">Not checked</Badge>;
  }
  if (server.supports_links) return <Badge tone="success">Supported</Badge>;
  return (
    <span title={server.support_reason}>
      <Badge tone="warning">Not supported</Badge>
      {server.support_reason ? (
        <span className="visually-hidden">: {server.support_reason}</span>
      ) : null}
    </span>
  );
}
