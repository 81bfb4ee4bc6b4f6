import { useParams } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import { ApplicationLog } from '@/features/applications/components/application-log';
import { ApplicationsTable } from '@/features/applications/components/applications-table';
import { ConfigureApplication } from '@/features/applications/components/configure-application';
import {
  OperationDetails,
  OperationsList,
} from '@/features/applications/components/operations-page';
import { NotFoundRoute } from '../not-found';

export function ApplicationLinksRoute() {
  return (
    <>
      <PageHeader
        title="Application Links"
        breadcrumb="Configuration › System Settings"
        description="Push links to the client area into your customers' control panels, where one click signs them in."
      />
      <ApplicationsTable />
    </>
  );
}

function useModule(): string | null {
  const { module } = useParams();
  return module && /^[a-z0-9_-]+$/.test(module) ? module : null;
}

export function ConfigureApplicationRoute() {
  const module = useModule();
  if (!module) return <NotFoundRoute />;
  return <ConfigureApplication key={module} module={module} />;
}

export function ApplicationLogRoute() {
  const module = useModule();
  if (!module) return <NotFoundRoute />;
  return <ApplicationLog key={module} module={module} />;
}

export function OperationsRoute() {
  return (
    <>
      <PageHeader
        title="Operations"
        description="Every provisioning run: activations, configuration syncs, deactivations and repairs."
      />
      <OperationsList />
    </>
  );
}

export function OperationRoute() {
  const { id } = useParams();
  const opId = Number(id);
  if (!Number.isInteger(opId) || opId <= 0) return <NotFoundRoute />;
  return <OperationDetails key={opId} id={opId} />;
}
