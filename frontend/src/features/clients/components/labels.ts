import type { BadgeTone } from '@/components/ui/badge';

export { USER_PERMISSIONS, userPermissionLabel } from '@/lib/user-permissions';

export const CLIENT_STATUSES = ['Active', 'Inactive', 'Closed'] as const;

export function clientStatusTone(status: string | undefined): BadgeTone {
  if (status === 'Active') return 'success';
  if (status === 'Closed') return 'danger';
  return 'neutral';
}
