import { Badge } from '@/components/ui/badge';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { NETWORK_STATUS_POLL_MS, useNetworkStatus } from '../api/get-network-status';
import { formatTime, panelName } from '@/portal/lib/labels';
import { PortalFacts } from '@/portal/components/portal-facts';

/** Network status: the live state of the servers the account's services are on (polled). */
export function NetworkStatus() {
  const status = useNetworkStatus();
  if (status.isPending) return <Spinner label="Checking our servers…" />;
  if (status.isError && status.data === undefined)
    return (
      <ErrorState
        error={status.error}
        title="Could not load the network status"
        onRetry={() => void status.refetch()}
      />
    );
  const servers = status.data;
  return (
    <>
      <p className="portal-muted" aria-live="polite">
        Updated {new Date(status.dataUpdatedAt).toLocaleTimeString()}; refreshes every{' '}
        {NETWORK_STATUS_POLL_MS / 1000} seconds.
        {status.isError ? ' The last refresh failed; showing the previous state.' : ''}
      </p>
      {servers.length === 0 ? (
        <EmptyState title="No servers to show">
          Your account has no services yet, so there is no server to report on.
        </EmptyState>
      ) : (
        <ul className="portal-servers" aria-label="Servers">
          {servers.map((s) => (
            <li key={s.id} className="portal-card portal-server">
              <div className="portal-service__head">
                <h2 className="portal-service__title">{s.name}</h2>
                {s.active ? (
                  <Badge tone="success">Operational</Badge>
                ) : (
                  <Badge tone="danger">Out of service</Badge>
                )}
              </div>
              <PortalFacts
                facts={[
                  ['Control panel', panelName(s.module)],
                  ['Your services on it', s.services],
                  [
                    'Client-area links',
                    s.supports_links === null
                      ? 'Not checked yet'
                      : s.supports_links
                        ? 'Available'
                        : 'Not supported',
                  ],
                  ['Last checked', formatTime(s.checked_at)],
                ]}
              />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
