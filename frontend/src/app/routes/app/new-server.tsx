import { Link, useNavigate } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import { NewServer } from '@/features/servers/components/new-server';

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
