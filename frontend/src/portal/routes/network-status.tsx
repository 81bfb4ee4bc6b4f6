import { NetworkStatus } from '@/portal/features/network-status/components/network-status';
import { PortalPage } from './portal-page';

export function PortalNetworkStatusRoute() {
  return (
    <PortalPage
      title="Check Network Status"
      intro="The live state of the servers your services run on."
    >
      <NetworkStatus />
    </PortalPage>
  );
}
