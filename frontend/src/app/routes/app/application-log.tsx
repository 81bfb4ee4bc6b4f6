import { ApplicationLog } from '@/features/applications/components/application-log';
import { NotFoundRoute } from '../not-found';
import { useModuleParam } from './module-param';

export function ApplicationLogRoute() {
  const module = useModuleParam();
  if (!module) return <NotFoundRoute />;
  return <ApplicationLog key={module} module={module} />;
}
