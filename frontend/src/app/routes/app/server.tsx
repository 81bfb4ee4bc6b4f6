import { useNavigate, useParams } from 'react-router';
import { ServerDetails } from '@/features/servers/components/server-details';
import { NotFoundRoute } from '../not-found';

export function ServerRoute() {
  const { id } = useParams();
  const navigate = useNavigate();
  const serverId = Number(id);
  if (!Number.isInteger(serverId) || serverId <= 0) return <NotFoundRoute />;
  return (
    <ServerDetails
      key={serverId}
      id={serverId}
      onDeleted={() => void navigate('/servers', { replace: true })}
      onCancel={() => void navigate('/servers')}
    />
  );
}
