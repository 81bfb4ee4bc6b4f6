import { auditChanges, truncate, type AuditChange } from '@/lib/audit-format';

function Value({ text }: { text: string }) {
  const shown = truncate(text);
  return (
    <span className="change-list__value" title={shown === text ? undefined : text}>
      {shown}
    </span>
  );
}

function Change({ c, label }: { c: AuditChange; label: string }) {
  return (
    <li>
      <span className="change-list__field">{label}</span>:{' '}
      {c.before !== undefined && c.after !== undefined ? (
        <>
          <Value text={c.before} /> <span aria-label="changed to">→</span> <Value text={c.after} />
        </>
      ) : (
        <Value text={c.after ?? c.before ?? ''} />
      )}
    </li>
  );
}

/**
 * The fields an audit record changed, one "field: before → after" line each (a creation or a
 * deletion shows the values it created or removed; a secret shows only "changed"). Long values
 * are cut, with the whole value in a tooltip. `labels` names fields in words (default: the
 * API's field name).
 */
export function AuditChanges({
  before,
  after,
  labels,
}: {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  labels?: Readonly<Record<string, string>>;
}) {
  const changes = auditChanges(before, after);
  if (changes.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="plain-list change-list">
      {changes.map((c) => (
        <Change key={c.field} c={c} label={labels?.[c.field] ?? c.field} />
      ))}
    </ul>
  );
}
