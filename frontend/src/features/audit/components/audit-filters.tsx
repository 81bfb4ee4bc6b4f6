import { Button } from '@/components/ui/button';
import { FilterSelect } from '@/components/ui/filter-select';
import { AUDIT_ACTIONS, AUDIT_ACTORS, AUDIT_RESOURCES } from '@/lib/audit-format';
import type { AuditQuery } from '../api/get-audit';

/** The filters as kept in the URL: each an empty string when unset; dates are YYYY-MM-DD. */
export interface AuditFilterValues {
  actor_kind: string;
  resource: string;
  resource_id: string;
  action: string;
  from: string;
  to: string;
}

export const AUDIT_FILTER_KEYS: readonly (keyof AuditFilterValues)[] = [
  'actor_kind',
  'resource',
  'resource_id',
  'action',
  'from',
  'to',
];

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Local midnight of a YYYY-MM-DD day, `days` later, as RFC 3339 UTC; undefined if not a day. */
function localDay(day: string, days = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The API query of the filters. The date range is in the browser's time zone and includes both
 * days: from the start of `from` to the start of the day after `to` (the API's `to` is exclusive).
 */
export function auditQuery(f: AuditFilterValues, page: number, perPage: number): AuditQuery {
  const q: AuditQuery = { page, per_page: perPage };
  if (f.actor_kind) q.actor_kind = f.actor_kind;
  if (f.resource) q.resource = f.resource;
  if (f.resource_id) q.resource_id = f.resource_id;
  if (f.action) q.action = f.action;
  const from = localDay(f.from);
  const to = localDay(f.to, 1);
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}

/** A filter of the bar: All, then the options' labels capitalized. */
function Select(props: {
  id: string;
  label: string;
  value: string;
  options: Record<string, string>;
  onChange: (v: string) => void;
}) {
  const options = Object.entries(props.options).map(([value, l]) => ({
    value,
    label: capitalize(l),
  }));
  return <FilterSelect {...props} all="All" options={options} />;
}

function DateInput({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
}) {
  return (
    <label className="inline-label" htmlFor={id}>
      {label}
      <input
        id={id}
        type="date"
        className="input"
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
        }}
      />
    </label>
  );
}

/** The audit trail's filter bar; `onChange` sets one filter (empty removes it). */
export function AuditFilters({
  values,
  onChange,
  onClear,
}: {
  values: AuditFilterValues;
  onChange: (key: keyof AuditFilterValues, value: string) => void;
  onClear: () => void;
}) {
  const filtered = AUDIT_FILTER_KEYS.some((k) => values[k] !== '');
  return (
    <div className="toolbar">
      <Select
        id="audit-actor-kind"
        label="Who"
        value={values.actor_kind}
        options={AUDIT_ACTORS}
        onChange={(v) => {
          onChange('actor_kind', v);
        }}
      />
      <Select
        id="audit-action"
        label="Action"
        value={values.action}
        options={AUDIT_ACTIONS}
        onChange={(v) => {
          onChange('action', v);
        }}
      />
      <Select
        id="audit-resource"
        label="Resource"
        value={values.resource}
        options={AUDIT_RESOURCES}
        onChange={(v) => {
          onChange('resource', v);
        }}
      />
      <label className="inline-label" htmlFor="audit-resource-id">
        Resource ID
        <input
          id="audit-resource-id"
          className="input input--narrow"
          maxLength={64}
          value={values.resource_id}
          onChange={(e) => {
            onChange('resource_id', e.target.value.trim());
          }}
        />
      </label>
      <DateInput
        id="audit-from"
        label="From"
        value={values.from}
        onChange={(v) => {
          onChange('from', v);
        }}
      />
      <DateInput
        id="audit-to"
        label="To"
        value={values.to}
        onChange={(v) => {
          onChange('to', v);
        }}
      />
      {filtered ? (
        <Button size="sm" variant="link" onClick={onClear}>
          Clear filters
        </Button>
      ) : null}
    </div>
  );
}
