import { ApplicationLog } from '@/features/applications/components/application-log';
import { useServers } from '@/features/servers/api/get-servers';
import { NotFoundRoute } from '../not-found';
import { useModuleParam } from './module-param';

export function ApplicationLogRoute() {
  const module = useModuleParam();
  if (!module) return <NotFoundRoute />;
  return <ModuleLog key={module} module={module} />;
}

/** The log of one application, with its servers (up to 200) to filter and name its entries by. */
function ModuleLog({ module }: { module: string }) {
  const fleet = useServers({ module, per_page: 200 });
  const servers = (fleet.data?.items ?? []).map((s) => ({ server_id: s.id, server_name: s.name }));
  return <ApplicationLog module={module} fleet={servers} />;
}
