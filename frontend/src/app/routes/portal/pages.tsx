import { useEffect, useRef, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import {
  AccountContext,
  NetworkStatus,
  OwnerOnly,
  ProfileForm,
  SecuritySettings,
  ServiceDetails,
  ServicesList,
  SSOActivity,
  UpgradeView,
  UserManagement,
  usePortalMe,
} from '@/features/portal';

/**
 * One client-area page: sets the document title and moves focus to the page heading when the
 * page opens, so keyboard and screen-reader users start at the top of the new content.
 */
function PortalPage({
  title,
  intro,
  children,
}: {
  title: string;
  intro?: ReactNode;
  children?: ReactNode;
}) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Client Area`;
    h1.current?.focus();
  }, [title]);
  return (
    <section className="portal-page">
      <h1 ref={h1} tabIndex={-1}>
        {title}
      </h1>
      {intro ? <p className="portal-page__intro">{intro}</p> : null}
      {children}
    </section>
  );
}

function useServiceId(): number {
  const { serviceId } = useParams();
  return /^\d+$/.test(serviceId ?? '') ? Number(serviceId) : NaN;
}

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

export function PortalServicesRoute() {
  return (
    <PortalPage
      title="My Services"
      intro="Your hosting accounts. Open a control panel without a password with its login button."
    >
      <ServicesList />
    </PortalPage>
  );
}

export function PortalServiceRoute() {
  const id = useServiceId();
  return (
    <PortalPage title="Service Details" intro="Billing information for this hosting account.">
      <ServiceDetails serviceId={id} />
    </PortalPage>
  );
}

export function PortalUpgradeRoute() {
  const id = useServiceId();
  return (
    <PortalPage title="Upgrade/Downgrade" intro="Change the package of this hosting account.">
      <UpgradeView serviceId={id} />
    </PortalPage>
  );
}

export function PortalProfileRoute() {
  return (
    <PortalPage title="Manage Profile" intro="Your name and the email address you sign in with.">
      <ProfileForm />
    </PortalPage>
  );
}

export function PortalNetworkStatusRoute() {
  return (
    <PortalPage
      title="Check Network Status"
      intro="The live state of the servers your services run on."
    >
      <NetworkStatus />
    </PortalPage>
  );
}

export function PortalSSOActivityRoute() {
  const me = usePortalMe();
  return (
    <PortalPage title="Single Sign-On Activity">
      <SSOActivity owner={me.data?.owner === true} />
    </PortalPage>
  );
}

export function PortalUserManagementRoute() {
  return (
    <PortalPage
      title="User Management"
      intro="Who can use this account, and whether they may use single sign-on."
    >
      <OwnerOnly what="User Management">
        <UserManagement />
      </OwnerOnly>
    </PortalPage>
  );
}

export function PortalSecurityRoute() {
  return (
    <PortalPage title="Security Settings" intro="Single sign-on for this whole account.">
      <OwnerOnly what="Security Settings">
        <SecuritySettings />
      </OwnerOnly>
    </PortalPage>
  );
}

/**
 * A destination whose data lives in the billing system: says what the page is for, with the
 * signed-in account and the service in context.
 */
export function PortalLanding({ title, purpose }: { title: string; purpose: string }) {
  const { serviceId } = useParams();
  const id = serviceId && /^\d+$/.test(serviceId) ? Number(serviceId) : undefined;
  return (
    <PortalPage title={title} intro={purpose}>
      <AccountContext serviceId={id} />
      <div className="portal-card portal-landing">
        <p>
          This page is provided by our billing system. Everything here is about the account shown
          above.
        </p>
        <p>
          <Link to="/portal">Back to the client area home</Link>
        </p>
      </div>
    </PortalPage>
  );
}

export function PortalNotFound() {
  return (
    <PortalPage title="Page not found">
      <p>
        There is nothing at this address. <Link to="/portal">Go to the client area home</Link>.
      </p>
    </PortalPage>
  );
}
