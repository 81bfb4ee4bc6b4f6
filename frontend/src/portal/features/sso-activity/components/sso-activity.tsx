import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { SSO_EVENTS_PER_PAGE, usePortalSSOEvents } from '../api/get-sso-events';
import { PortalPager } from '@/portal/components/portal-pager';
import { DESTINATION_LABELS, dash, formatTime } from '@/portal/lib/labels';
import { ssoReasonText } from '@/portal/lib/sso-reasons';
import { PortalTable } from '@/portal/components/portal-table';

const SOURCES: Record<string, string> = {
  cpanel: 'Control panel link',
  api: 'Trusted application',
  portal: 'Client area',
  unknown: 'Unknown sign-in link',
};
const KINDS: Record<string, string> = {
  issue: 'Link issued',
  redeem: 'Signed in',
  session: 'Control panel session',
  email_change: 'Sign-in email change',
};

/** The account's single sign-on activity (the owner sees everyone's, a user their own). */
export function SSOActivity({ owner }: { owner: boolean }) {
  const [page, setPage] = useState(1);
  const events = usePortalSSOEvents(page);
  if (events.isPending) return <Spinner label="Loading activity…" />;
  if (events.isError)
    return (
      <ErrorState
        error={events.error}
        title="Could not load the activity"
        onRetry={() => void events.refetch()}
      />
    );
  const items = events.data.items;
  const total = events.data.total;
  return (
    <>
      <p className="portal-muted">
        {owner
          ? 'Every single sign-on into this account, newest first.'
          : 'Your own single sign-ons into this account, newest first.'}
      </p>
      {items.length === 0 ? (
        <EmptyState title="No single sign-on activity yet">
          Sign-ins through control panel links and “Log in to cPanel” appear here.
        </EmptyState>
      ) : (
        <PortalTable
          caption="Single sign-on activity"
          columns={['Time', 'What', 'From', 'Destination', 'Outcome', 'IP address']}
        >
          {items.map((e) => (
            <tr key={e.id}>
              <td>{formatTime(e.time)}</td>
              <td>{KINDS[e.kind] ?? e.kind}</td>
              <td>{SOURCES[e.source] ?? e.source}</td>
              <td>{DESTINATION_LABELS[e.destination] ?? dash(e.destination)}</td>
              <td>
                {e.outcome === 'success' ? (
                  <Badge tone="success">Success</Badge>
                ) : (
                  <span>
                    <Badge tone="danger">Refused</Badge>{' '}
                    {e.reason ? ssoReasonText(e.reason).title : null}
                  </span>
                )}
              </td>
              <td>{dash(e.ip)}</td>
            </tr>
          ))}
        </PortalTable>
      )}
      <PortalPager
        page={page}
        total={total}
        perPage={SSO_EVENTS_PER_PAGE}
        label="Activity pages"
        onPage={setPage}
      />
    </>
  );
}
