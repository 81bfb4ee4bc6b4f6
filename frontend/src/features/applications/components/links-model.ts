import type { Schema } from '@/api/types';
import type { LinkInput } from '../api/update-application-links';
import { templateError, type TargetKind } from './link-target';

export type Link = Schema<'rest.LinkAnswer'>;

/** One editable row of the Configure page. */
export interface LinkRow {
  key: string;
  group: string;
  defaultLabel: string;
  label: string;
  enabled: boolean;
  implements: string | undefined;
  route: string | undefined;
  /** Where a click lands: the client area, or the external URL template (with hand-off). */
  target: TargetKind;
  urlTemplate: string;
  handoff: boolean;
  /** A link of staff's own (key custom_<slug>): its route is editable and it can be removed. */
  custom: boolean;
}

/** The most custom links an application may carry (links.MaxCustomLinks). */
export const MAX_CUSTOM_LINKS = 10;
export const CUSTOM_PREFIX = 'custom_';

export const GROUPS: { key: string; title: string }[] = [
  { key: 'ordering', title: 'Ordering' },
  { key: 'support', title: 'Support' },
  { key: 'account', title: 'Account' },
  { key: 'custom', title: 'Custom links' },
];

export type Grouped = Record<string, LinkRow[]>;

/** Splits the catalogue into the three groups, each in the saved order. */
export function toGroups(links: Link[]): Grouped {
  const sorted = [...links].sort((a, b) => a.order - b.order);
  const out: Grouped = Object.fromEntries(GROUPS.map((g) => [g.key, [] as LinkRow[]]));
  for (const l of sorted) {
    const group = l.group;
    (out[group] ??= []).push({
      key: l.key,
      group,
      defaultLabel: l.default_label,
      label: l.label,
      enabled: l.enabled,
      implements: l.implements === '' ? undefined : l.implements,
      route: l.route === '' ? undefined : l.route,
      target: l.target === 'external' ? 'external' : 'client_area',
      urlTemplate: l.url_template,
      handoff: l.handoff,
      custom: l.custom,
    });
  }
  return out;
}

function groupOrder(groups: Grouped): string[] {
  const known = GROUPS.map((g) => g.key);
  return [...known, ...Object.keys(groups).filter((k) => !known.includes(k))];
}

/** The rows in display order: Ordering, Support, Account, Custom links. */
export function flatten(groups: Grouped): LinkRow[] {
  return groupOrder(groups).flatMap((g) => groups[g] ?? []);
}

/**
 * The PUT body: every link once, with order = position on the page (1-based). A client-area
 * link sends no target fields (the default); an external one its template and hand-off.
 */
export function toInput(groups: Grouped): LinkInput[] {
  return flatten(groups).map((r, i) => ({
    key: r.key,
    label: r.label.trim(),
    enabled: r.enabled,
    order: i + 1,
    ...(r.target === 'external'
      ? { target: 'external' as const, url_template: r.urlTemplate.trim(), handoff: r.handoff }
      : r.custom
        ? { route: (r.route ?? '').trim() }
        : {}),
  }));
}

/**
 * What is wrong with a row's target, or undefined: an external template per the server's rules,
 * a custom link's client-area path per routeError (a catalogue route is always fine).
 */
export function targetIssue(row: LinkRow, allowHTTP: boolean): string | undefined {
  if (row.target === 'external') return templateError(row.urlTemplate.trim(), allowHTTP);
  return row.custom ? routeError((row.route ?? '').trim()) : undefined;
}

/** The server's rule for a custom link's path (links.ValidateCustomRoute): a relative /portal path. */
export function routeError(route: string): string | undefined {
  const underPortal =
    route === '/portal' || route.startsWith('/portal/') || route.startsWith('/portal?');
  if (
    !underPortal ||
    route.length > 255 ||
    route.includes('//') ||
    route.includes('\\') ||
    route.includes('/../') ||
    route.endsWith('/..') ||
    route.includes('/./') ||
    Array.from({ length: route.length }, (_, i) => route.charCodeAt(i)).some(
      (c) => c < 0x21 || c === 0x7f,
    )
  )
    return 'Enter a client-area path under /portal, e.g. /portal/services (no spaces, // or ..).';
  return undefined;
}

/** The server's rule for a custom key's slug: 1 to 24 lowercase letters, digits or underscores. */
export function slugError(slug: string, groups: Grouped): string | undefined {
  if (!/^[a-z0-9_]{1,24}$/.test(slug))
    return 'Use 1 to 24 lowercase letters, digits or underscores.';
  if (flatten(groups).some((r) => r.key === CUSTOM_PREFIX + slug))
    return 'A custom link with this key exists already.';
  return undefined;
}

/** The number of custom links on the page. */
export function customCount(groups: Grouped): number {
  return flatten(groups).filter((r) => r.custom).length;
}

/** Adds a custom link (enabled, to the client area's home) at the end of the custom group. */
export function addCustom(groups: Grouped, slug: string, label: string): Grouped {
  const key = CUSTOM_PREFIX + slug;
  const row: LinkRow = {
    key,
    group: 'custom',
    defaultLabel: label,
    label,
    enabled: true,
    implements: undefined,
    route: '/portal',
    target: 'client_area',
    urlTemplate: '',
    handoff: false,
    custom: true,
  };
  return { ...groups, custom: [...(groups.custom ?? []), row] };
}

/** Removes a custom link; saving then removes it from every account. */
export function removeCustom(groups: Grouped, key: string): Grouped {
  return { ...groups, custom: (groups.custom ?? []).filter((r) => r.key !== key) };
}

/** A comparable fingerprint of what Save would send. */
export function fingerprint(groups: Grouped): string {
  return JSON.stringify(toInput(groups));
}

/** The API's label rule: 1 to 64 characters, no single quote. */
export function labelError(label: string): string | undefined {
  const t = label.trim();
  if (t.length === 0) return 'Enter a label.';
  if (t.length > 64) return `Use at most 64 characters (now ${String(t.length)}).`;
  if (t.includes("'")) return "Labels cannot contain a single quote (').";
  return undefined;
}

/** Moves one item of an array from one index to another (a copy). */
export function move<T>(list: T[], from: number, to: number): T[] {
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return list;
  const next = [...list];
  const [item] = next.splice(from, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
}
