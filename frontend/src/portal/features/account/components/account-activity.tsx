import { useState } from 'react';
import { AuditChanges } from '@/components/ui/audit-changes';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { describeAudit, type AuditRecord } from '@/lib/audit-format';
import { ACTIVITY_PER_PAGE, usePortalActivity } from '../api/get-activity';
import { usePortalUsers } from '../api/get-users';
import { dash, formatTime } from '@/portal/lib/labels';
import { PortalPager } from '@/portal/components/portal-pager';
import { PortalTable } from '@/portal/components/portal-table';

/** The recorded fields in the words of the client area's own pages. */
const FIELDS: Record<string, string> = {
  allow_sso: 'Allow Single Sign-On',
  permissions: 'Permissions',
  user_id: 'User',
  name: 'Name',
  email: 'Email',
};

/**
 * What a change did, in the client area's words: the user a membership change is about by
 * name (their id when they have left the account), the account's settings for the client.
 */
function describe(r: AuditRecord, names: ReadonlyMap<number, string>): string {
  if (r.resource === 'membership') {
    const userId = Number(r.resource_id.split(':')[1]);
    const who = names.get(userId) ?? `user #${String(userId)}`;
    if (r.action === 'update') return `Changed the permissions of ${who}`;
    if (r.action === 'create') return `Added ${who}`;
    if (r.action === 'delete') return `Removed ${who}`;
  }
  if (r.resource === 'client' && r.action === 'update') return 'Changed the account settings';
  const text = describeAudit(r);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Account activity (owner only): the changes made in the client area to this account, newest
 * first, with who made each, when, from which IP address and what changed.
 */
export function AccountActivity() {
  const [page, setPage] = useState(1);
  const activity = usePortalActivity(page);
  // Names for the users a change is about; without them the ids are shown.
  const users = usePortalUsers();
  const names = new Map((users.data ?? []).map((m) => [m.user_id, m.user.name || m.user.email]));

  if (activity.isPending) return <Spinner label="Loading activity…" />;
  if (activity.isError)
    return (
      <ErrorState
        error={activity.error}
        title="Could not load the activity"
        onRetry={() => void activity.refetch()}
      />
    );
  const items = activity.data.items;
  const total = activity.data.total;
  return (
    <>
      {items.length === 0 ? (
        <EmptyState title="No changes yet">
          Changes to Security Settings and User Management appear here.
        </EmptyState>
      ) : (
        <PortalTable
          caption="Account activity"
          columns={['Time', 'Who', 'What', 'Changes', 'IP address']}
        >
          {items.map((r) => (
            <tr key={r.id}>
              <td>{formatTime(r.time)}</td>
              <td>{dash(r.actor_name)}</td>
              <td>{describe(r, names)}</td>
              <td>
                <AuditChanges before={r.before} after={r.after} labels={FIELDS} />
              </td>
              <td>{dash(r.ip)}</td>
            </tr>
          ))}
        </PortalTable>
      )}
      <PortalPager
        page={page}
        total={total}
        perPage={ACTIVITY_PER_PAGE}
        label="Account activity pages"
        onPage={setPage}
      />
    </>
  );
}
