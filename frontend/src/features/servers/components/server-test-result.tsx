import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';

type Result = Schema<'rest.ServerTestResult'>;

/** What "Test connection" found: version, profile and application-link support. */
export function ServerTestResult({ result }: { result: Result }) {
  if (!result.ok) {
    return (
      <Alert tone="error" title="Connection failed">
        {result.error ?? 'The server could not be reached.'}
      </Alert>
    );
  }
  const support = result.support;
  const supported = support.supported;
  return (
    <Alert tone={supported ? 'success' : 'warning'} title="Connected">
      <dl className="dl">
        <dt>Version</dt>
        <dd>{support.version || result.server.version || 'unknown'}</dd>
        <dt>Profile</dt>
        <dd>{support.profile || result.server.profile || 'unknown'}</dd>
        <dt>Application links</dt>
        <dd>
          {supported ? 'Supported' : `Not supported${support.reason ? `: ${support.reason}` : ''}`}
        </dd>
        <dt>Response time</dt>
        <dd>{result.duration_ms} ms</dd>
      </dl>
    </Alert>
  );
}
