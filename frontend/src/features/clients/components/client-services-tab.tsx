import { Badge } from '@/components/ui/badge';
import { DataTable } from '@/components/ui/data-table';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { useClientServices } from '../api/get-client-services';
import { serviceStatusTone } from './labels';

/** Services tab: the client's hosting accounts. */
export function ClientServicesTab({ clientId }: { clientId: number }) {
  const services = useClientServices(clientId);
  if (services.isPending) return <Spinner label="Loading services…" />;
  if (services.isError) {
    return (
      <ErrorState
        error={services.error}
        title="Could not load the services"
        onRetry={() => void services.refetch()}
      />
    );
  }
  const items = services.data.items ?? [];
  if (items.length === 0) return <EmptyState title="This client has no hosting accounts" />;
  return (
    <DataTable
      caption="Hosting accounts"
      columns={['Domain', 'Username', 'Application', 'Server', 'Status']}
    >
      {items.map((s) => (
        <tr key={s.id}>
          <td>{s.domain}</td>
          <td className="mono">{s.username}</td>
          <td>{s.module === 'wpsquared' ? 'WP Squared' : 'cPanel & WHM'}</td>
          <td>#{s.server_id}</td>
          <td>
            <Badge tone={serviceStatusTone(s.status)}>{s.status}</Badge>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
