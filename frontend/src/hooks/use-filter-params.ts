import { useCallback, useEffect, useRef } from 'react';
import { useSearchParams } from 'react-router';

/** The list page a URL asks for: ?page=, 1 when it is missing or not a positive number. */
export function pageParam(params: URLSearchParams): number {
  return Math.max(1, Number(params.get('page') ?? '1') || 1);
}

/**
 * List filters kept in the URL, so a filtered page can be reloaded and shared. `update` sets a
 * filter (an empty value removes it) and goes back to the first page, since the old page number
 * means nothing for a new filter; `dependents` names filters that only make sense with another
 * one (changing the key clears them). Pass a constant for `dependents`. `page` is pageParam's.
 */
export function useFilterParams(dependents?: Readonly<Record<string, readonly string[]>>) {
  const [params, setParams] = useSearchParams();
  // The params as last set: setSearchParams hands its updater the params of the last render,
  // so a second filter changed before the page renders again would drop the first.
  const latest = useRef(params);
  useEffect(() => {
    latest.current = params;
  }, [params]);
  const update = useCallback(
    (key: string, value: string) => {
      const next = new URLSearchParams(latest.current);
      if (value) next.set(key, value);
      else next.delete(key);
      if (key !== 'page') next.delete('page');
      for (const d of dependents?.[key] ?? []) next.delete(d);
      latest.current = next;
      setParams(next, { replace: true });
    },
    [setParams, dependents],
  );
  return { params, setParams, update, page: pageParam(params) };
}
