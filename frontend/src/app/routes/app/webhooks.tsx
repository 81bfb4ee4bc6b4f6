import { PageHeader } from '@/components/ui/page-header';
import { MANAGE_WEBHOOKS, permissionLabel } from '@/features/staff/components/labels';
import { Webhooks } from '@/features/webhooks/components/webhooks';
import { RequirePermission } from './require-staff';

export function WebhooksRoute() {
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Other systems hear what happens here: signed POSTs (Standard Webhooks), retried for 24 hours."
      />
      <RequirePermission permission={MANAGE_WEBHOOKS} label={permissionLabel(MANAGE_WEBHOOKS)}>
        <Webhooks />
      </RequirePermission>
    </>
  );
}
