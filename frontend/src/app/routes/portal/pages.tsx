import { useEffect } from 'react';
import { Link, useParams } from 'react-router';

function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Client Area`;
  }, [title]);
}

export function PortalHome() {
  useTitle('Client Area');
  return (
    <section className="portal-page">
      <h1>Welcome back</h1>
      <p>Manage your services, billing and support from here.</p>
      <ul className="portal-tiles">
        <li>
          <Link to="/portal/services">My Services</Link>
        </li>
        <li>
          <Link to="/portal/tickets/new">Open Ticket</Link>
        </li>
        <li>
          <Link to="/portal/invoices">Invoices</Link>
        </li>
      </ul>
    </section>
  );
}

/** A destination whose data lives in the billing system: says what the page is for. */
export function PortalLanding({ title, purpose }: { title: string; purpose: string }) {
  const { serviceId } = useParams();
  useTitle(title);
  return (
    <section className="portal-page">
      <h1>{title}</h1>
      <p>{purpose}</p>
      {serviceId ? <p className="portal-context">Service #{serviceId}</p> : null}
    </section>
  );
}

export function PortalNotFound() {
  useTitle('Page not found');
  return (
    <section className="portal-page">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/portal">Go to the client area home</Link>.
      </p>
    </section>
  );
}
