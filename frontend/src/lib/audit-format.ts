import type { Schema } from '@/api/types';

/** One record of the audit trail (GET /api/v1/audit, GET /api/v1/portal/activity). */
export type AuditRecord = Schema<'rest.AuditRecord'>;

// Keyed by string, not the API's enums: a newer service may name more, shown as they are.

/** The past tense of each action, as a sentence uses it ("updated server 3"). */
export const AUDIT_ACTIONS: Readonly<Record<string, string>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  revoke: 'revoked',
  enable: 'enabled',
  disable: 'disabled',
  configure: 'configured',
  repair: 'repaired',
  rotate: 'rotated',
  redeliver: 'redelivered',
  sync: 'synced',
  retry: 'retried the failed accounts of',
  verify: 'verified',
};

/** What each resource is called on screen. */
export const AUDIT_RESOURCES: Readonly<Record<string, string>> = {
  server: 'server',
  client: 'client',
  user: 'user',
  membership: 'membership',
  service: 'service',
  role: 'role',
  admin: 'administrator',
  api_credential: 'API credential',
  application: 'application',
};

/** Who can make a change. */
export const AUDIT_ACTORS: Readonly<Record<string, string>> = {
  admin: 'Staff',
  api_credential: 'API credential',
  user: 'Client user',
};

/**
 * What a record did, in words: "updated server 3", "enabled application cpanel". A membership's
 * id is "client:user" in the API; it reads as "user 11 on client 1".
 */
export function describeAudit(r: Pick<AuditRecord, 'action' | 'resource' | 'resource_id'>): string {
  const verb = AUDIT_ACTIONS[r.action] ?? r.action;
  const m = r.resource === 'membership' ? /^(\d+):(\d+)$/.exec(r.resource_id) : null;
  if (m) return `${verb} membership of user ${m[2] ?? ''} on client ${m[1] ?? ''}`;
  const what = AUDIT_RESOURCES[r.resource] ?? r.resource;
  return r.resource_id ? `${verb} ${what} ${r.resource_id}` : `${verb} ${what}`;
}

/** How long a shown value may be before it is cut (the whole value stays in a tooltip). */
export const AUDIT_VALUE_MAX = 80;

/**
 * A recorded field value as text: strings as they are (a secret is the string "changed"), a
 * list of plain values comma-separated, other objects and lists as JSON. `null` is "none" and
 * an empty string or list "empty", so that a change from or to nothing reads clearly.
 */
export function auditValueText(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'string') return v === '' ? 'empty' : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return 'empty';
    if (v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) {
      return v.map(String).join(', ');
    }
  }
  return JSON.stringify(v);
}

/** `text` cut to `max` characters with an ellipsis. */
export function truncate(text: string, max = AUDIT_VALUE_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One changed field: its name and its value before and after (absent on that side: undefined). */
export interface AuditChange {
  field: string;
  before?: string;
  after?: string;
}

/**
 * The fields a record changed, by name. A creation has only `after` values, a deletion only
 * `before` values; an update has both for a changed field, and only `after` for a secret (the
 * API records only that it changed).
 */
export function auditChanges(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): AuditChange[] {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...fields].sort().map((field) => {
    const c: AuditChange = { field };
    if (before && field in before) c.before = auditValueText(before[field]);
    if (after && field in after) c.after = auditValueText(after[field]);
    return c;
  });
}
