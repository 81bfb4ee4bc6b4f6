import { OwnerOnly } from '@/portal/features/auth/components/owner-only';
import { SecuritySettings } from '@/portal/features/account/components/security-settings';
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
