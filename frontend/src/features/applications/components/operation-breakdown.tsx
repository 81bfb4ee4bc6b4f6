import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { capitalize, taskStateTone } from './labels';

type ServerTask = Schema<'links.ServerTask'>;

/** Per-server progress of one operation. */
export function OperationBreakdown({ servers }: { servers: ServerTask[] }) {
  if (servers.length === 0) {
    return <p className="muted">No server took part in this operation.</p>;
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Per-server breakdown</caption>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <th scope="col">Action</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Accounts
            </th>
            <th scope="col" className="num">
              Failed
            </th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {servers.map((t) => (
            <tr key={t.id}>
              <td>{t.server_name || `#${String(t.server_id)}`}</td>
              <td>{capitalize(t.action)}</td>
              <td>
                <Badge tone={taskStateTone(t.state)}>{capitalize(t.state)}</Badge>
              </td>
              <td className="num">
                {t.accounts_done}/{t.accounts_total}
              </td>
              <td className="num">{t.accounts_failed}</td>
              <td className="num">{t.attempts}</td>
              <td>{t.last_error ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
