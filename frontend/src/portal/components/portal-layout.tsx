import { Suspense, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { Spinner } from '@/components/ui/spinner';
import '@/portal/styles/portal.css';

export interface PortalUser {
  name: string;
  isOwner: boolean;
  /** The account the session works on, shown in the menu. */
  accountName?: string | undefined;
  /** Whether the user may open a client-area path; entries they may not are left out. */
  canOpen?: (path: string) => boolean;
}

const NAV = [
  { to: '/portal/services', label: 'Services' },
  { to: '/portal/tickets', label: 'Support' },
  { to: '/portal/invoices', label: 'Billing' },
  { to: '/portal/network-status', label: 'Network Status' },
];

/**
 * The client area frame: a light, brand-like header with the "Hello, Name!" menu, distinct
 * from the staff dashboard.
 */
export function PortalLayout({
  user,
  onLogout,
  menuExtra,
  children,
}: {
  user?: PortalUser | null;
  onLogout?: () => void;
  /** More menu content, e.g. the account switcher. */
  menuExtra?: ReactNode;
  children?: ReactNode;
}) {
  const menuRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const location = useLocation();
  // Open only on the page where it was opened: navigating closes the menu.
  const [openedAt, setOpenedAt] = useState<string | null>(null);
  const open = openedAt === location.pathname;
  const setOpen = (value: boolean) => {
    setOpenedAt(value ? location.pathname : null);
  };

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (menuRef.current && !menuRef.current.contains(e.target as Node)) setOpenedAt(null);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpenedAt(null);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="portal">
      <a className="skip-link" href="#portal-main">
        Skip to content
      </a>
      <header className="portal__header">
        <div className="portal__header-inner">
          <Link to="/portal" className="portal__brand">
            <span className="portal__logo" aria-hidden="true">
              ◆
            </span>
            Client Area
          </Link>
          {user ? (
            <nav aria-label="Client area" className="portal__nav">
              <NavLink to="/portal" end>
                Home
              </NavLink>
              {NAV.filter((n) => user.canOpen?.(n.to) ?? true).map((n) => (
                <NavLink key={n.to} to={n.to}>
                  {n.label}
                </NavLink>
              ))}
            </nav>
          ) : (
            <span className="portal__nav" />
          )}
          {user ? (
            <div className="portal__menu" ref={menuRef}>
              <button
                ref={buttonRef}
                type="button"
                className="portal__menu-button"
                aria-expanded={open}
                aria-controls="portal-user-menu"
                onClick={() => {
                  setOpen(!open);
                }}
              >
                Hello, {user.name}!
              </button>
              {open ? (
                <ul id="portal-user-menu" className="portal__menu-list">
                  {user.accountName ? (
                    <li className="portal__menu-account">
                      Signed in to <strong>{user.accountName}</strong>
                    </li>
                  ) : null}
                  <li>
                    <Link to="/portal/profile">Your Profile</Link>
                  </li>
                  {user.isOwner ? (
                    <>
                      <li>
                        <Link to="/portal/user-management">User Management</Link>
                      </li>
                      <li>
                        <Link to="/portal/security">Security Settings</Link>
                      </li>
                      <li>
                        <Link to="/portal/activity">Account Activity</Link>
                      </li>
                    </>
                  ) : null}
                  <li>
                    <Link to="/portal/sso-activity">Single Sign-On Activity</Link>
                  </li>
                  {menuExtra ? <li className="portal__menu-extra">{menuExtra}</li> : null}
                  {onLogout ? (
                    <li>
                      <button type="button" onClick={onLogout}>
                        Logout
                      </button>
                    </li>
                  ) : null}
                </ul>
              ) : null}
            </div>
          ) : null}
        </div>
      </header>
      <main id="portal-main" className="portal__main" tabIndex={-1}>
        {/* Pages are loaded lazily: the frame stays, the page's place shows a spinner. */}
        <Suspense fallback={<Spinner />}>{children ?? <Outlet />}</Suspense>
      </main>
      <footer className="portal__footer">Billing &amp; Support</footer>
    </div>
  );
}
