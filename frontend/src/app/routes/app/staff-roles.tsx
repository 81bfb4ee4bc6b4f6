import { PageHeader } from '@/components/ui/page-header';
import { useMe } from '@/features/auth/api/get-me';
import { MANAGE_ADMINS, permissionLabel } from '@/features/staff/components/labels';
import { RolesList } from '@/features/staff/components/roles-list';
import { StaffTabs } from '@/features/staff/components/staff-tabs';
import { RequirePermission } from './require-staff';

export function StaffRolesRoute() {
  // The signed-in admin's role (RequireStaff keeps GET /api/v1/auth/me fresh).
  const me = useMe();
  return (
    <>
      <PageHeader
        title="Staff"
        description="Administrators of this dashboard and the roles that decide what each may do."
      />
      <RequirePermission permission={MANAGE_ADMINS} label={permissionLabel(MANAGE_ADMINS)}>
        <StaffTabs />
        <RolesList selfRoleId={me.data?.role_id} />
      </RequirePermission>
    </>
  );
}
