import { PageHeader } from '@/components/ui/page-header';
import { AdminsList } from '@/features/staff/components/admins-list';
import { MANAGE_ADMINS, permissionLabel } from '@/features/staff/components/labels';
import { StaffTabs } from '@/features/staff/components/staff-tabs';
import { RequirePermission } from './require-staff';

export function StaffAdminsRoute() {
  return (
    <>
      <PageHeader
        title="Staff"
        description="Administrators of this dashboard and the roles that decide what each may do."
      />
      <RequirePermission permission={MANAGE_ADMINS} label={permissionLabel(MANAGE_ADMINS)}>
        <StaffTabs />
        <AdminsList />
      </RequirePermission>
    </>
  );
}
