/**
 * Membership permissions with the labels the client area uses and what each opens (the rule is
 * api/links ClientAreaRules, shared by the staff dashboard and the client area; the account owner holds every permission).
 */
export const USER_PERMISSIONS: { key: string; label: string; description: string }[] = [
  {
    key: 'sso',
    label: 'Perform Single Sign-On',
    description: 'Be signed in from cPanel or a trusted application, and use “Log in to cPanel”.',
  },
  {
    key: 'profile',
    label: 'Manage Account Profile',
    description:
      'The account’s billing details and payment methods, and the emails sent to the account. Everyone manages their own name and sign-in email.',
  },
  {
    key: 'services',
    label: 'View Products & Services',
    description: 'The services list, each service’s page and its upgrade options.',
  },
  { key: 'invoices', label: 'View & Pay Invoices', description: 'The invoice history.' },
  {
    key: 'tickets',
    label: 'View & Open Support Tickets',
    description: 'Open tickets and read the ticket history.',
  },
  {
    key: 'domains',
    label: 'Register & Transfer Domains',
    description: 'Register new domains and transfer domains in.',
  },
];

/** The label of a membership permission (the key itself when unknown). */
export function userPermissionLabel(key: string): string {
  return USER_PERMISSIONS.find((p) => p.key === key)?.label ?? key;
}
