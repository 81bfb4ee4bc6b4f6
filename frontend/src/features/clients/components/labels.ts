import type { BadgeTone } from '@/components/ui/badge';

/** Membership permissions with the labels the client area uses. */
export const USER_PERMISSIONS: { key: string; label: string }[] = [
  { key: 'sso', label: 'Perform Single Sign-On' },
  { key: 'profile', label: 'Modify Master Account Profile' },
  { key: 'services', label: 'View Products & Services' },
  { key: 'invoices', label: 'View & Pay Invoices' },
  { key: 'tickets', label: 'View & Open Support Tickets' },
  { key: 'domains', label: 'Manage Domains' },
];

export const CLIENT_STATUSES = ['Active', 'Inactive', 'Closed'] as const;

export function clientStatusTone(status: string | undefined): BadgeTone {
  if (status === 'Active') return 'success';
  if (status === 'Closed') return 'danger';
  return 'neutral';
}

export function serviceStatusTone(status: string | undefined): BadgeTone {
  if (status === 'Active') return 'success';
  if (status === 'Suspended') return 'warning';
  if (status === 'Pending') return 'info';
  return 'neutral';
}
