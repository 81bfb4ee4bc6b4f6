import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { useUpdateService } from '../api/save-service';
import type { Service, StatusAction } from './labels';

/** Asks before suspending, unsuspending or terminating an account, then sends PATCH status. */
export function ServiceStatusDialog({
  service,
  action,
  onClose,
}: {
  service: Service;
  action: StatusAction;
  onClose: () => void;
}) {
  const update = useUpdateService();
  const name = service.username || service.domain;
  return (
    <ConfirmDialog
      title={`${action.verb} ${name}?`}
      confirmLabel={action.verb}
      tone={action.tone}
      busy={update.isPending}
      error={update.error}
      onCancel={onClose}
      onConfirm={() => {
        update.mutate({ id: service.id, patch: { status: action.to } }, { onSuccess: onClose });
      }}
    >
      <p>
        {service.domain} ({service.username || 'no username'}), #{service.id}
      </p>
      <p className="muted">{action.explain}</p>
    </ConfirmDialog>
  );
}
