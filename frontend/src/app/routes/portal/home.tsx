import { Link } from 'react-router';
import { usePortalMe } from '@/features/portal/api/get-me';
import { AccountContext } from '@/features/portal/components/account-context';
import { PortalPage } from './portal-page';

export function PortalHome() {
  const me = usePortalMe();
  const name = me.data?.user?.name;
  return (
    <PortalPage
      title={name ? `Welcome back, ${name}` : 'Welcome back'}
      intro="Manage your services, billing and support from here."
    >
      <AccountContext />
      <ul className="portal-tiles" aria-label="Shortcuts">
        <li>
          <Link to="/portal/services">My Services</Link>
        </li>
        <li>
          <Link to="/portal/invoices">Invoices</Link>
        </li>
        <li>
          <Link to="/portal/tickets/new">Open Ticket</Link>
        </li>
        <li>
          <Link to="/portal/network-status">Network Status</Link>
        </li>
        <li>
          <Link to="/portal/profile">Your Profile</Link>
        </li>
        <li>
          <Link to="/portal/sso-activity">Single Sign-On Activity</Link>
        </li>
      </ul>
    </PortalPage>
  );
}
