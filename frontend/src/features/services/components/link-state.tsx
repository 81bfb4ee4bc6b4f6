import type { Schema } from '@/api/types';
import { Badge, type BadgeTone } from '@/components/ui/badge';

function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** A service's link state as the API computes it (links.LinkStateOf). */
export type LinkState = Schema<'rest.ServiceLinkState'>;

const LINK_STATES: Record<LinkState['state'], { label: string; tone: BadgeTone }> = {
  up_to_date: { label: 'Up to date', tone: 'success' },
  pending: { label: 'Pending', tone: 'info' },
  failed: { label: 'Failed', tone: 'danger' },
  none: { label: 'No links', tone: 'neutral' },
  held: { label: 'On hold', tone: 'neutral' },
};

/**
 * The Links column of the services table: the state, and under it what the staff needs next:
 * the last error of a failed or retried account, why a held one is left alone (its server is
 * deactivated or does not support links), the next attempt of a pending one, or when the panel
 * last confirmed an up-to-date one.
 */
export function LinkStateCell({ state }: { state: LinkState }) {
  const s = LINK_STATES[state.state];
  let detail: string | null = null;
  if (state.state === 'failed' || (state.state === 'pending' && state.last_error)) {
    detail = state.last_error || null;
  } else if (state.state === 'held') {
    detail = state.hold_reason || null;
  }
  let when: string | null = null;
  if (state.state === 'pending' && state.next_attempt_at) {
    when = `Next attempt ${formatTime(state.next_attempt_at)}`;
  } else if (state.state === 'up_to_date' && state.confirmed_at) {
    when = `Confirmed ${formatTime(state.confirmed_at)}`;
  }
  return (
    <div className="link-state">
      <Badge tone={s.tone}>{s.label}</Badge>
      {state.attempts > 0 && state.state !== 'up_to_date' ? (
        <span className="muted small">
          {' '}
          {state.attempts} {state.attempts === 1 ? 'attempt' : 'attempts'}
        </span>
      ) : null}
      {detail ? <div className="small link-state__error">{detail}</div> : null}
      {when ? <div className="muted small">{when}</div> : null}
    </div>
  );
}
