import { Badge, type BadgeTone } from '@/components/ui/badge';

/** The four log levels, named as in the product (info is "Information"). */
export const LEVELS: { value: string; label: string; tone: BadgeTone }[] = [
  { value: 'debug', label: 'Debug', tone: 'debug' },
  { value: 'info', label: 'Information', tone: 'info' },
  { value: 'notice', label: 'Notice', tone: 'notice' },
  { value: 'warning', label: 'Warning', tone: 'warning' },
];

export function LevelBadge({ level }: { level: string | undefined }) {
  const l = LEVELS.find((x) => x.value === level);
  return <Badge tone={l?.tone ?? 'neutral'}>{l?.label ?? level ?? '—'}</Badge>;
}
