import { useParams } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import {
  OperationDetails,
  OperationsList,
} from '@/features/applications/components/operations-page';
import { NotFoundRoute } from '../not-found';

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
