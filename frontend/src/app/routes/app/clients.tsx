import { Link, useNavigate, useParams } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import { ClientPage, type ClientTab } from '@/features/clients/components/client-page';
import { ClientsList } from '@/features/clients/components/clients-list';
import { NewClient } from '@/features/clients/components/new-client';
import { SSOEvents } from '@/features/sso-events/components/sso-events';
import { NotFoundRoute } from '../not-found';

export function ClientsRoute() {
  return (
    <>
      <PageHeader
        title="Clients"
        description="Customer accounts, their users and single sign-on controls."
        actions={
          <Link className="btn btn--primary" to="/clients/new">
            Add client
          </Link>
        }
      />
      <ClientsList />
    </>
  );
}

export function NewClientRoute() {
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="Add client" breadcrumb={<Link to="/clients">Clients</Link>} />
      <NewClient
        onCreated={(id) => void navigate(`/clients/${String(id)}`, { replace: true })}
        onCancel={() => void navigate('/clients')}
      />
    </>
  );
}

export function ClientRoute({ tab }: { tab: ClientTab }) {
  const { id } = useParams();
  const clientId = Number(id);
  if (!Number.isInteger(clientId) || clientId <= 0) return <NotFoundRoute />;
  return (
    <ClientPage
      key={clientId}
      id={clientId}
      tab={tab}
      ssoActivity={<SSOEvents clientId={clientId} />}
    />
  );
}
