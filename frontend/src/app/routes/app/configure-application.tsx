import { ConfigureApplication } from '@/features/applications/components/configure-application';
import { NotFoundRoute } from '../not-found';
import { useModuleParam } from './module-param';

/** Its own chunk: the links editor brings @dnd-kit, which no other page needs. */
export function ConfigureApplicationRoute() {
  const module = useModuleParam();
  if (!module) return <NotFoundRoute />;
  return <ConfigureApplication key={module} module={module} />;
}
