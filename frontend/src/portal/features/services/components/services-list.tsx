import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { usePortalServices } from '../api/get-services';
import { dash, panelName, serviceName, serviceStatusTone } from '@/portal/lib/labels';
import { PanelLogin } from './panel-login-button';
import { PortalFacts } from '@/portal/components/portal-facts';

/** The account's hosting services, each with its state and "Log in to cPanel". */
export function ServicesList() {
  const services = usePortalServices();
  if (services.isPending) return <Spinner label="Loading your services…" />;
  if (services.isError)
    return (
      <ErrorState
        error={services.error}
        title="Could not load your services"
        onRetry={() => void services.refetch()}
      />
    );
  const items = services.data.items;
  if (items.length === 0)
    return (
      <EmptyState title="You have no services yet">
        Hosting accounts you order appear here, with a one-click login to their control panel.
      </EmptyState>
    );
  return (
    <ul className="portal-services" aria-label="Your services">
      {items.map((s) => (
        <li key={s.id} className="portal-card portal-service">
          <div className="portal-service__head">
            <h2 className="portal-service__title">
              <Link to={`/portal/services/${String(s.id)}`}>{serviceName(s)}</Link>
            </h2>
            <Badge tone={serviceStatusTone(s.status)}>{s.status}</Badge>
          </div>
          <PortalFacts
            facts={[
              ['Username', dash(s.username)],
              ['Control panel', panelName(s.module)],
              ['Server', dash(s.server_name)],
            ]}
          />
          <PanelLogin service={s} />
        </li>
      ))}
    </ul>
  );
}
