import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { usePortalService } from '../api/get-service';
import { usePortalMe } from '@/portal/lib/get-me';
import { usePortalServices } from '../api/get-services';
import { serviceName } from '@/portal/lib/labels';

/**
 * What a landing page shows for context: the signed-in account and the service in context
 * (the one in the address, or else the account's services).
 */
export function AccountContext({ serviceId }: { serviceId?: number | undefined }) {
  const me = usePortalMe();
  const one = usePortalService(serviceId ?? 0);
  const all = usePortalServices();
  const account = me.data?.current_account;
  let service: ReactNode = null;
  if (serviceId !== undefined) {
    service = one.data ? (
      <Link to={`/portal/services/${serviceId}`}>{serviceName(one.data)}</Link>
    ) : one.isError ? (
      `Service #${serviceId} (not found on this account)`
    ) : (
      `Service #${serviceId}`
    );
  } else if (all.data?.items && all.data.items.length > 0) {
    service = all.data.items.map((s, i) => (
      <span key={s.id}>
        {i > 0 ? ', ' : ''}
        <Link to={`/portal/services/${String(s.id)}`}>{serviceName(s)}</Link>
      </span>
    ));
  } else if (all.data) {
    service = 'No services yet';
  }
  return (
    <dl className="portal-context-box" aria-label="Account in context">
      <div>
        <dt>Signed in as</dt>
        <dd>
          {me.data?.user.name ?? '…'}
          {me.data?.user.email ? ` (${me.data.user.email})` : ''}
        </dd>
      </div>
      <div>
        <dt>Account</dt>
        <dd>
          {account?.name ?? '…'}
          {account?.status && account.status !== 'Active' ? ` (${account.status})` : ''}
        </dd>
      </div>
      <div>
        <dt>{serviceId !== undefined ? 'Service' : 'Services'}</dt>
        <dd>{service ?? '…'}</dd>
      </div>
    </dl>
  );
}
