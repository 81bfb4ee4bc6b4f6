import { useQuery } from '@tanstack/react-query';
import { ApplicationLog } from '@/features/applications/components/application-log';
import { serversQueryOptions } from '@/features/servers/api/get-servers';
import { useStaffSession } from '@/lib/auth';
import { NotFoundRoute } from '../not-found';
import { useModuleParam } from './module-param';

export function ApplicationLogRoute() {
  const module = useModuleParam();
  if (!module) return <NotFoundRoute />;
  return <ModuleLog key={module} module={module} />;
}

/**
 * The log of one application, with its servers (up to 200) to filter and name its entries by,
 * when the admin may list servers; otherwise the servers of the operation shown.
 */
function ModuleLog({ module }: { module: string }) {
  const canList = useStaffSession()?.admin?.permissions?.includes('manage_servers') ?? false;
  const fleet = useQuery({ ...serversQueryOptions({ module, per_page: 200 }), enabled: canList });
  const servers = (fleet.data?.items ?? []).map((s) => ({ server_id: s.id, server_name: s.name }));
  return <ApplicationLog module={module} fleet={servers} />;
}
