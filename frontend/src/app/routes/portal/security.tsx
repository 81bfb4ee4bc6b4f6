import { OwnerOnly } from '@/features/portal/components/owner-only';
import { SecuritySettings } from '@/features/portal/components/security-settings';
import { PortalPage } from './portal-page';

export function PortalSecurityRoute() {
  return (
    <PortalPage title="Security Settings" intro="Single sign-on for this whole account.">
      <OwnerOnly what="Security Settings">
        <SecuritySettings />
      </OwnerOnly>
    </PortalPage>
  );
}
