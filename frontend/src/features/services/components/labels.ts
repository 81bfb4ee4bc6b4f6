import type { Schema } from '@/api/types';
import type { BadgeTone } from '@/components/ui/badge';

export type Service = Schema<'rest.ServiceRecord'>;
export type ServiceStatus = Service['status'];

export const SERVICE_STATUSES: readonly ServiceStatus[] = [
  'Pending',
  'Active',
  'Suspended',
  'Terminated',
  'Cancelled',
];

export function serviceStatusTone(status: string | undefined): BadgeTone {
  if (status === 'Active') return 'success';
  if (status === 'Suspended') return 'warning';
  if (status === 'Pending') return 'info';
  return 'neutral';
}

export function moduleName(module: string | undefined): string {
  return module === 'wpsquared' ? 'WP Squared' : 'cPanel & WHM';
}

/** A status change staff confirm: suspend, unsuspend or terminate. */
export interface StatusAction {
  verb: 'Suspend' | 'Unsuspend' | 'Terminate';
  to: ServiceStatus;
  tone: 'danger' | 'primary';
  explain: string;
}

const SUSPEND: StatusAction = {
  verb: 'Suspend',
  to: 'Suspended',
  tone: 'danger',
  explain:
    'The account is marked Suspended here. It keeps its application links; this does not suspend the account on the server itself.',
};
const UNSUSPEND: StatusAction = {
  verb: 'Unsuspend',
  to: 'Active',
  tone: 'primary',
  explain: 'The account is marked Active again and its application links are pushed.',
};
const TERMINATE: StatusAction = {
  verb: 'Terminate',
  to: 'Terminated',
  tone: 'danger',
  explain:
    'The account is marked Terminated: its application links are removed from the server and single sign-on into it is refused.',
};

/** The status changes offered for an account in this status. */
export function statusActions(status: ServiceStatus): StatusAction[] {
  switch (status) {
    case 'Active':
      return [SUSPEND, TERMINATE];
    case 'Suspended':
      return [UNSUSPEND, TERMINATE];
    case 'Pending':
      return [TERMINATE];
    default:
      return [];
  }
}
