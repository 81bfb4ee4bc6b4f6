import { PageHeader } from '@/components/ui/page-header';
import { AuditLog } from '@/features/audit/components/audit-log';
import { permissionLabel, VIEW_AUDIT_LOG } from '@/features/staff/components/labels';
import { RequirePermission } from './require-staff';

export function AuditLogRoute() {
  return (
    <>
      <PageHeader
        title="Audit Log"
        description="Every change made by staff, API credentials and account owners, newest first: who, when, from where, and what changed."
      />
      <RequirePermission permission={VIEW_AUDIT_LOG} label={permissionLabel(VIEW_AUDIT_LOG)}>
        <AuditLog />
      </RequirePermission>
    </>
  );
}
