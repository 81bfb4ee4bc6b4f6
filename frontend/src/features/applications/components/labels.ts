import type { BadgeTone } from '@/components/ui/badge';

export const OPERATION_KINDS: Record<string, string> = {
  activation: 'Activation',
  configuration: 'Configuration',
  deactivation: 'Deactivation',
  repair: 'Repair',
  retry: 'Retry failed',
  verify: 'Verify',
  rotation: 'Rotation',
  account_sync: 'Account sync',
};

export function operationStateTone(state: string | undefined): BadgeTone {
  if (state === 'running') return 'info';
  if (state === 'completed') return 'success';
  if (state === 'superseded') return 'neutral';
  return 'notice';
}

export function taskStateTone(state: string | undefined): BadgeTone {
  switch (state) {
    case 'done':
      return 'success';
    case 'running':
      return 'info';
    case 'failed':
      return 'danger';
    case 'unsupported':
      return 'warning';
    default:
      return 'neutral';
  }
}

export function capitalize(s: string | undefined): string {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : '—';
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
