import { Link } from 'react-router';
import { usePortalMe } from '@/portal/lib/get-me';
import { AccountContext } from '@/portal/features/services/components/account-context';
import { canOpen } from '@/portal/features/auth/components/page-access';
import { PortalPage } from './portal-page';

/** The home page's shortcuts; those the user may not open are left out. */
const TILES = [
  { to: '/portal/services', label: 'My Services' },
  { to: '/portal/invoices', label: 'Invoices' },
  { to: '/portal/tickets/new', label: 'Open Ticket' },
  { to: '/portal/network-status', label: 'Network Status' },
  { to: '/portal/profile', label: 'Your Profile' },
  { to: '/portal/sso-activity', label: 'Single Sign-On Activity' },
];

export function PortalHome() {
  const me = usePortalMe();
  const name = me.data?.user.name;
  return (
    <PortalPage
      title={name ? `Welcome back, ${name}` : 'Welcome back'}
      intro="Manage your services, billing and support from here."
    >
      <AccountContext />
      <ul className="portal-tiles" aria-label="Shortcuts">
        {TILES.filter((t) => canOpen(me.data, t.to)).map((t) => (
          <li key={t.to}>
            <Link to={t.to}>{t.label}</Link>
          </li>
        ))}
      </ul>
    </PortalPage>
  );
}
