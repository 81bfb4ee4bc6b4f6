import { AccountActivity } from '@/portal/features/account/components/account-activity';
import { OwnerOnly } from '@/portal/features/auth/components/owner-only';
import { PortalPage } from './portal-page';

export function PortalActivityRoute() {
  return (
    <PortalPage
      title="Account Activity"
      intro="The changes made in the client area to this account: who made them, when and from where."
    >
      <OwnerOnly what="The activity">
        <AccountActivity />
      </OwnerOnly>
    </PortalPage>
  );
}
