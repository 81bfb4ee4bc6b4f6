import type { Schema } from '@/api/types';
import type { LinkInput } from '../api/update-application-links';
import { templateError, type TargetKind } from './link-target';

export type Link = Schema<'links.Link'>;

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
}

export const GROUPS: { key: string; title: string }[] = [
  { key: 'ordering', title: 'Ordering' },
  { key: 'support', title: 'Support' },
  { key: 'account', title: 'Account' },
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
    });
  }
  return out;
}

function groupOrder(groups: Grouped): string[] {
  const known = GROUPS.map((g) => g.key);
  return [...known, ...Object.keys(groups).filter((k) => !known.includes(k))];
}

/** The rows in display order: Ordering, Support, Account. */
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
      : {}),
  }));
}

/** What is wrong with a row's target, or undefined (a client-area target is always fine). */
export function targetIssue(row: LinkRow, allowHTTP: boolean): string | undefined {
  return row.target === 'external' ? templateError(row.urlTemplate.trim(), allowHTTP) : undefined;
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
