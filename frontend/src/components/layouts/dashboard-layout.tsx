import { Suspense, useState, type ReactNode } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { Spinner } from '@/components/ui/spinner';
import { useLogout, useStaffSession } from '@/lib/auth';

interface NavItem {
  to: string;
  label: string;
  /** The staff permission the page needs (the API answers 403 without it). */
  permission: string;
}

const SETTINGS: NavItem[] = [
  {
    to: '/settings/application-links',
    label: 'Application Links',
    permission: 'configure_application_links',
  },
];

const MAIN: NavItem[] = [
  { to: '/servers', label: 'Servers', permission: 'manage_servers' },
  { to: '/clients', label: 'Clients', permission: 'manage_clients' },
  { to: '/services', label: 'Services', permission: 'manage_clients' },
  { to: '/api-credentials', label: 'API Credentials', permission: 'manage_api_credentials' },
  { to: '/sso-activity', label: 'SSO Activity', permission: 'view_sso_events' },
  { to: '/operations', label: 'Operations', permission: 'configure_application_links' },
  { to: '/webhooks', label: 'Webhooks', permission: 'manage_webhooks' },
  { to: '/audit', label: 'Audit Log', permission: 'view_audit_log' },
  { to: '/staff', label: 'Staff', permission: 'manage_admins' },
];

/**
 * Hides what the signed-in admin may not open. Without a permission list (an older session)
 * everything shows and the API's 403 explains; an empty list (a role without permissions)
 * opens nothing.
 */
function allowed(items: NavItem[], permissions: string[] | undefined): NavItem[] {
  if (!permissions) return items;
  return items.filter((i) => permissions.includes(i.permission));
}

function Item({ item }: { item: NavItem }) {
  return (
    <li>
      <NavLink
        to={item.to}
        className={({ isActive }) => `nav__link${isActive ? ' nav__link--active' : ''}`}
      >
        {item.label}
      </NavLink>
    </li>
  );
}

/** The staff dashboard frame: top bar, navigation, main region. */
export function DashboardLayout({ children }: { children?: ReactNode }) {
  const session = useStaffSession();
  const logout = useLogout();
  const location = useLocation();
  // The small-screen menu is open only on the page where it was opened: navigating closes it.
  const [openedAt, setOpenedAt] = useState<string | null>(null);
  const menuOpen = openedAt === location.pathname;

  const who = session?.admin?.name ?? session?.admin?.email ?? 'Staff';
  const perms = session?.admin?.permissions;
  const settings = allowed(SETTINGS, perms);
  const main = allowed(MAIN, perms);

  return (
    <div className="dash">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="dash__topbar">
        <button
          type="button"
          className="dash__menu-button"
          aria-expanded={menuOpen}
          aria-controls="dash-nav"
          onClick={() => {
            setOpenedAt(menuOpen ? null : location.pathname);
          }}
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Menu</span>
        </button>
        <span className="dash__brand">Application Links</span>
        <span className="dash__spacer" />
        <span className="dash__user" title={session?.admin?.email}>
          {who}
        </span>
        <button type="button" className="btn btn--ghost btn--sm dash__logout" onClick={logout}>
          Sign out
        </button>
      </header>
      <div className="dash__body">
        <nav
          id="dash-nav"
          className={`dash__nav nav${menuOpen ? ' dash__nav--open' : ''}`}
          aria-label="Main"
        >
          {settings.length > 0 ? (
            <>
              <p className="nav__section" id="nav-configuration">
                Configuration
              </p>
              <p className="nav__subsection" id="nav-system-settings">
                System Settings
              </p>
              <ul className="nav__list nav__list--nested" aria-labelledby="nav-system-settings">
                {settings.map((i) => (
                  <Item key={i.to} item={i} />
                ))}
              </ul>
            </>
          ) : null}
          <p className="nav__section" id="nav-manage">
            Manage
          </p>
          <ul className="nav__list" aria-labelledby="nav-manage">
            {main.map((i) => (
              <Item key={i.to} item={i} />
            ))}
          </ul>
        </nav>
        <main id="main" className="dash__main" tabIndex={-1}>
          {/* Pages are loaded lazily: the frame stays, the page's place shows a spinner. */}
          <Suspense fallback={<Spinner />}>{children ?? <Outlet />}</Suspense>
        </main>
      </div>
    </div>
  );
}
