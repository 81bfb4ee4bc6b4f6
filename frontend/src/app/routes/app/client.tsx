import { useParams } from 'react-router';
import { ClientPage, type ClientTab } from '@/features/clients/components/client-page';
import { ServicesList } from '@/features/services/components/services-list';
import { SSOEvents } from '@/features/sso-events/components/sso-events';
import { NotFoundRoute } from '../not-found';

export function ClientRoute({ tab }: { tab: ClientTab }) {
  const { id } = useParams();
  const clientId = Number(id);
  if (!Number.isInteger(clientId) || clientId <= 0) return <NotFoundRoute />;
  return (
    <ClientPage
      key={clientId}
      id={clientId}
      tab={tab}
      services={<ServicesList clientId={clientId} />}
      ssoActivity={<SSOEvents clientId={clientId} />}
    />
  );
}
