import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { Spinner } from '@/components/ui/spinner';
import { ErrorState } from '@/components/ui/states';
import { usePortalService } from '../api/get-service';
import type { PortalService } from '../api/get-services';
import { dash, formatTime, panelName, serviceName, serviceStatusTone } from '@/portal/lib/labels';
import { PanelLogin } from './panel-login-button';
import { PortalFacts } from '@/portal/components/portal-facts';

function useServiceOrState(serviceId: number) {
  const svc = usePortalService(serviceId);
  if (!Number.isInteger(serviceId) || serviceId <= 0)
    return {
      node: (
        <ErrorState title="No such service" error={new Error('The address names no service.')} />
      ),
    };
  if (svc.isPending) return { node: <Spinner label="Loading the service…" /> };
  if (svc.isError)
    return {
      node: (
        <ErrorState
          error={svc.error}
          title="Could not load this service"
          onRetry={() => void svc.refetch()}
        />
      ),
    };
  return { service: svc.data };
}

function Facts({ s }: { s: PortalService }) {
  return (
    <PortalFacts
      facts={[
        ['Domain', dash(s.domain)],
        ['Status', <Badge tone={serviceStatusTone(s.status)}>{s.status}</Badge>],
        ['Username', dash(s.username)],
        ['Control panel', panelName(s.module)],
        ['Server', dash(s.server_name)],
        ['Since', formatTime(s.created_at)],
      ]}
    />
  );
}

/** Service details (billing information of one hosting account). */
export function ServiceDetails({ serviceId }: { serviceId: number }) {
  const { node, service } = useServiceOrState(serviceId);
  if (!service) return node;
  return (
    <>
      <section className="portal-card" aria-label="Service">
        <h2 className="portal-card__title">{serviceName(service)}</h2>
        <Facts s={service} />
        <PanelLogin service={service} />
      </section>
      <section className="portal-card" aria-labelledby="billing-title">
        <h2 id="billing-title" className="portal-card__title">
          Billing
        </h2>
        <p>
          Invoices for this service are listed on <Link to="/portal/invoices">your invoices</Link>;
          your payment methods are under{' '}
          <Link to="/portal/billing">Manage Billing Information</Link>.
        </p>
        <p>
          <Link to={`/portal/services/${serviceId}/upgrade`}>
            Upgrade or downgrade this service
          </Link>
        </p>
      </section>
    </>
  );
}

/** Upgrade/Downgrade: the service as it is now and how a package change works. */
export function UpgradeView({ serviceId }: { serviceId: number }) {
  const { node, service } = useServiceOrState(serviceId);
  if (!service) return node;
  const changeable = service.status === 'Active' || service.status === 'Suspended';
  return (
    <>
      <section className="portal-card" aria-label="Current service">
        <h2 className="portal-card__title">Current service: {serviceName(service)}</h2>
        <Facts s={service} />
      </section>
      <section className="portal-card" aria-labelledby="change-title">
        <h2 id="change-title" className="portal-card__title">
          Change package
        </h2>
        {changeable ? (
          <p>
            Choose a larger package to get more disk space, bandwidth and e-mail accounts, or a
            smaller one to pay less. The change applies to {serviceName(service)} on{' '}
            {panelName(service.module)} without moving your files; the price difference is prorated
            on your next invoice.
          </p>
        ) : (
          <p role="status">
            This service is {service.status.toLowerCase()}: its package cannot be changed.{' '}
            <Link to="/portal/tickets/new">Open a ticket</Link> if you need help.
          </p>
        )}
        <p>
          <Link to={`/portal/services/${serviceId}`}>Back to the service details</Link>
        </p>
      </section>
    </>
  );
}
