import { Link, useParams } from 'react-router';
import { AccountContext } from '@/portal/features/services/components/account-context';
import { PortalPage } from './portal-page';

/**
 * A destination whose data lives in the billing system: says what the page is for, with the
 * signed-in account and the service in context.
 */
export function PortalLanding({ title, purpose }: { title: string; purpose: string }) {
  const { serviceId } = useParams();
  const id = serviceId && /^\d+$/.test(serviceId) ? Number(serviceId) : undefined;
  return (
    <PortalPage title={title} intro={purpose}>
      <AccountContext serviceId={id} />
      <div className="portal-card portal-landing">
        <p>
          This page is provided by our billing system. Everything here is about the account shown
          above.
        </p>
        <p>
          <Link to="/portal">Back to the client area home</Link>
        </p>
      </div>
    </PortalPage>
  );
}

export function PortalNotFound() {
  return (
    <PortalPage title="Page not found">
      <p>
        There is nothing at this address. <Link to="/portal">Go to the client area home</Link>.
      </p>
    </PortalPage>
  );
}
