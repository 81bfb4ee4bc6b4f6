import { Link, useNavigate } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import { NewClient } from '@/features/clients/components/new-client';

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
