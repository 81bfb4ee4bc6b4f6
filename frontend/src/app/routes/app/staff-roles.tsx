import { PageHeader } from '@/components/ui/page-header';
import { MANAGE_ADMINS, permissionLabel } from '@/features/staff/components/labels';
import { RolesList } from '@/features/staff/components/roles-list';
import { StaffTabs } from '@/features/staff/components/staff-tabs';
import { RequirePermission } from './require-staff';

export function StaffRolesRoute() {
  return (
    <>
      <PageHeader
        title="Staff"
        description="Administrators of this dashboard and the roles that decide what each may do."
      />
      <RequirePermission permission={MANAGE_ADMINS} label={permissionLabel(MANAGE_ADMINS)}>
        <StaffTabs />
        <RolesList />
      </RequirePermission>
    </>
  );
}
