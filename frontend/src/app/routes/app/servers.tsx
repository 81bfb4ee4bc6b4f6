import { Link, useNavigate, useParams } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import { NewServer } from '@/features/servers/components/new-server';
import { ServerDetails } from '@/features/servers/components/server-details';
import { ServersList } from '@/features/servers/components/servers-list';
import { NotFoundRoute } from '../not-found';

export function ServersRoute() {
  return (
    <>
      <PageHeader
        title="Servers"
        description="The cPanel & WHM and WP Squared servers whose accounts get application links."
        actions={
          <Link className="btn btn--primary" to="/servers/new">
            Add server
          </Link>
        }
      />
      <ServersList />
    </>
  );
}

export function NewServerRoute() {
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="Add server" breadcrumb={<Link to="/servers">Servers</Link>} />
      <NewServer
        onCreated={(id) => void navigate(`/servers/${String(id)}`, { replace: true })}
        onCancel={() => void navigate('/servers')}
      />
    </>
  );
}

export function ServerRoute() {
  const { id } = useParams();
  const navigate = useNavigate();
  const serverId = Number(id);
  if (!Number.isInteger(serverId) || serverId <= 0) return <NotFoundRoute />;
  return (
    <ServerDetails
      key={serverId}
      id={serverId}
      onDeleted={() => void navigate('/servers', { replace: true })}
      onCancel={() => void navigate('/servers')}
    />
  );
}
