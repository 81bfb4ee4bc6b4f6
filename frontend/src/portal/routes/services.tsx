import { ServicesList } from '@/portal/features/services/components/services-list';
import { PortalPage } from './portal-page';

export function PortalServicesRoute() {
  return (
    <PortalPage
      title="My Services"
      intro="Your hosting accounts. Open a control panel without a password with its login button."
    >
      <ServicesList />
    </PortalPage>
  );
}
