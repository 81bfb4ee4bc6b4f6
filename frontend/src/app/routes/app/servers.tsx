import { Link } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import { ServersList } from '@/features/servers/components/servers-list';

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
