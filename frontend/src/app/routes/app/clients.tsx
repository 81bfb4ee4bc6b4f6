import { Link } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import { ClientsList } from '@/features/clients/components/clients-list';

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
