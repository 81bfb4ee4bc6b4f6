import type { BadgeTone } from '@/components/ui/badge';

/** The panel's product name by module. */
export function panelName(module: string | undefined): string {
  if (module === 'wpsquared') return 'WP Squared';
  if (module === 'cpanel') return 'cPanel';
  return module ?? 'the control panel';
}

/** "Log in to cPanel" or "Log in to WP Squared". */
export function panelLoginLabel(module: string | undefined): string {
  return `Log in to ${panelName(module)}`;
}

export function serviceStatusTone(status: string | undefined): BadgeTone {
  switch (status) {
    case 'Active':
      return 'success';
    case 'Suspended':
      return 'warning';
    case 'Pending':
      return 'info';
    case 'Terminated':
    case 'Cancelled':
      return 'danger';
    default:
      return 'neutral';
  }
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** The catalogue destinations in words (SSO activity). */
export const DESTINATION_LABELS: Record<string, string> = {
  upgrade: 'Upgrade/Downgrade',
  register_domain: 'Register New Domain',
  transfer_domain: 'Transfer a Domain',
  open_ticket: 'Open Ticket',
  ticket_history: 'View Ticket History',
  announcements: 'News & Announcements',
  downloads: 'Download Resources',
  knowledgebase: 'Search our Knowledgebase',
  network_status: 'Check Network Status',
  profile: 'Manage Profile',
  billing_info: 'View Billing Information',
  manage_billing: 'Manage Billing Information',
  email_history: 'View Email History',
  invoice_history: 'View Invoice History',
  home: 'Client area home',
  services: 'My Services',
  custom: 'Custom page',
  cpanel: 'cPanel',
  wpsquared: 'WP Squared',
};

/** A value for display, or a dash when it is empty. */
export function dash(v: string | undefined): string {
  return v === undefined || v === '' ? '—' : v;
}

/** How a service is named on screen: its domain, else its username. */
export function serviceName(s: { domain?: string; username?: string; id?: number }): string {
  if (s.domain) return s.domain;
  if (s.username) return s.username;
  return `Service #${s.id ?? '?'}`;
}
