import type { ReactNode } from 'react';
import { Link, NavLink } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { Spinner } from '@/components/ui/spinner';
import { ErrorState } from '@/components/ui/states';
import { useClient } from '../api/get-client';
import { ClientDangerZone } from './client-danger-zone';
import { ClientProfileTab } from './client-profile-tab';
import { ClientUsersTab } from './client-users-tab';
import { clientStatusTone } from './labels';

export type ClientTab = 'profile' | 'users' | 'services' | 'sso';

/**
 * A client's page: Profile (incl. Allow Single Sign-On), Users (Manage User), Services and
 * SSO Activity (whose contents other features provide; the app layer passes them in).
 */
export function ClientPage({
  id,
  tab,
  services,
  ssoActivity,
}: {
  id: number;
  tab: ClientTab;
  services: ReactNode;
  ssoActivity?: ReactNode;
}) {
  const client = useClient(id);
  const base = `/clients/${String(id)}`;

  if (client.isPending) return <Spinner label="Loading client…" />;
  if (client.isError) {
    return (
      <>
        <PageHeader title="Client" breadcrumb={<Link to="/clients">Clients</Link>} />
        <ErrorState
          error={client.error}
          title="Could not load this client"
          onRetry={() => void client.refetch()}
        />
      </>
    );
  }
  const c = client.data;
  return (
    <>
      <PageHeader
        title={c.name || `Client ${String(id)}`}
        breadcrumb={<Link to="/clients">Clients</Link>}
        description={
          <>
            #{c.id} · {c.email} · <Badge tone={clientStatusTone(c.status)}>{c.status}</Badge>
          </>
        }
      />
      <nav className="tabs" aria-label="Client sections">
        <NavLink end to={base} className="tabs__tab">
          Profile
        </NavLink>
        <NavLink to={`${base}/users`} className="tabs__tab">
          Users
        </NavLink>
        <NavLink to={`${base}/services`} className="tabs__tab">
          Services
        </NavLink>
        {ssoActivity ? (
          <NavLink to={`${base}/sso-activity`} className="tabs__tab">
            SSO Activity
          </NavLink>
        ) : null}
      </nav>
      {tab === 'profile' ? (
        <>
          <ClientProfileTab key={c.updated_at} client={c} />
          <ClientDangerZone client={c} />
        </>
      ) : null}
      {tab === 'users' ? <ClientUsersTab clientId={id} /> : null}
      {tab === 'services' ? services : null}
      {tab === 'sso' ? ssoActivity : null}
    </>
  );
}
