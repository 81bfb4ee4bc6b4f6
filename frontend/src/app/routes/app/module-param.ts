import { useParams } from 'react-router';

/** The `:module` route parameter when it is a well-formed module name, else null (a 404). */
export function useModuleParam(): string | null {
  const { module } = useParams();
  return module && /^[a-z0-9_-]+$/.test(module) ? module : null;
}
