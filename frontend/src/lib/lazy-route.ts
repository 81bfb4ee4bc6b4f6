import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

// As in React.lazy's own signature: a component with any props.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyComponent = ComponentType<any>;

const RELOADED_AT = 'applinks.chunk-reload-at';

/**
 * A page's chunk did not load. After a new release the previous build's chunks are gone (their
 * names carry a content hash), so a tab opened before it fails on its first visit to a page it
 * has not loaded yet: reload once to get the new index.html. Returns false, and the error
 * boundary shows, when it happens again within a minute (the server is unreachable or broken).
 */
export function reloadForNewRelease(
  reload: () => void = () => {
    window.location.reload();
  },
): boolean {
  try {
    const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
    if (Date.now() - last < 60_000) return false;
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
  } catch {
    return false;
  }
  reload();
  return true;
}

/**
 * React.lazy for a named export: `lazyRoute(() => import('./routes/app/servers'), 'ServersRoute')`.
 * Each route module becomes its own chunk, fetched the first time its route renders; the
 * <Suspense> boundaries in the layouts show a fallback on first load, and navigations (router
 * updates run in a transition) keep the current page on screen until the next one is ready.
 */
export function lazyRoute<M extends Record<K, AnyComponent>, K extends keyof M & string>(
  load: () => Promise<M>,
  name: K,
): LazyExoticComponent<M[K]> {
  return lazy(async () => {
    try {
      return { default: (await load())[name] };
    } catch (err) {
      // Until the reload replaces the document, keep showing what is on screen.
      if (reloadForNewRelease()) return new Promise<never>(() => undefined);
      throw err;
    }
  });
}
