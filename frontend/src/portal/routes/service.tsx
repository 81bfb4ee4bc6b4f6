import { ServiceDetails, UpgradeView } from '@/portal/features/services/components/service-details';
import { PortalPage, useServiceId } from './portal-page';

export function PortalServiceRoute() {
  const id = useServiceId();
  return (
    <PortalPage title="Service Details" intro="Billing information for this hosting account.">
      <ServiceDetails serviceId={id} />
    </PortalPage>
  );
}

export function PortalUpgradeRoute() {
  const id = useServiceId();
  return (
    <PortalPage title="Upgrade/Downgrade" intro="Change the package of this hosting account.">
      <UpgradeView serviceId={id} />
    </PortalPage>
  );
}
