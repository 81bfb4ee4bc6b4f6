import { OwnerOnly } from '@/portal/features/auth/components/owner-only';
import { UserManagement } from '@/portal/features/account/components/user-management';
import { PortalPage } from './portal-page';

export function PortalUserManagementRoute() {
  return (
    <PortalPage
      title="User Management"
      intro="Who can use this account, and whether they may use single sign-on."
    >
      <OwnerOnly what="User Management">
        <UserManagement />
      </OwnerOnly>
    </PortalPage>
  );
}
