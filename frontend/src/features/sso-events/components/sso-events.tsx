import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, PagedListState } from '@/components/ui/states';
import { FilterSelect, mapOptions } from '@/components/ui/filter-select';
import { useFilterParams } from '@/hooks/use-filter-params';
import { useSSOEvents, type SSOEventsQuery } from '../api/get-sso-events';

const PER_PAGE = 50;

const KINDS: Record<string, string> = {
  issue: 'Token issued',
  redeem: 'Token redeemed',
  session: 'cPanel session',
  email_change: 'Sign-in e-mail change',
};
const SOURCES: Record<string, string> = {
  cpanel: 'cPanel',
  api: 'API',
  portal: 'Client area',
  unknown: 'Unknown link',
};
const OUTCOMES = [
  { value: 'success', label: 'Success' },
  { value: 'refused', label: 'Refused' },
];

/**
 * The SSO audit with filters (outcome, source, client, user) kept in the URL. `clientId` fixes
 * the client filter (the client profile's SSO tab).
 */
export function SSOEvents({ clientId }: { clientId?: number }) {
  const { params, setParams, update, page } = useFilterParams();
  const outcome = params.get('outcome') ?? '';
  const source = params.get('source') ?? '';
  const client = clientId !== undefined ? String(clientId) : (params.get('client_id') ?? '');
  const user = params.get('user_id') ?? '';

  const query: SSOEventsQuery = { page, per_page: PER_PAGE };
  if (outcome) query.outcome = outcome;
  if (source) query.source = source;
  if (client && Number(client) > 0) query.client_id = Number(client);
  if (user && Number(user) > 0) query.user_id = Number(user);
  const events = useSSOEvents(query);

  const filtered = Boolean(outcome || source || (clientId === undefined && client) || user);

  return (
    <>
      <div className="toolbar">
        <FilterSelect
          id="sso-outcome"
          label="Outcome"
          value={outcome}
          all="All"
          options={OUTCOMES}
          onChange={(v) => {
            update('outcome', v);
          }}
        />
        <FilterSelect
          id="sso-source"
          label="Source"
          value={source}
          all="All"
          options={mapOptions(SOURCES)}
          onChange={(v) => {
            update('source', v);
          }}
        />
        {clientId === undefined ? (
          <label className="inline-label" htmlFor="sso-client">
            Client ID
            <input
              id="sso-client"
              className="input input--narrow"
              inputMode="numeric"
              value={client}
              onChange={(e) => {
                update('client_id', e.target.value.replace(/\D/g, ''));
              }}
            />
          </label>
        ) : null}
        <label className="inline-label" htmlFor="sso-user">
          User ID
          <input
            id="sso-user"
            className="input input--narrow"
            inputMode="numeric"
            value={user}
            onChange={(e) => {
              update('user_id', e.target.value.replace(/\D/g, ''));
            }}
          />
        </label>
        {filtered ? (
          <Button
            size="sm"
            variant="link"
            onClick={() => {
              setParams({}, { replace: true });
            }}
          >
            Clear filters
          </Button>
        ) : null}
      </div>
      <PagedListState
        query={events}
        loading="Loading single sign-on activity…"
        errorTitle="Could not load the activity"
        empty={
          <EmptyState title={filtered ? 'No events match' : 'No single sign-on activity yet'}>
            {filtered
              ? 'Change or clear the filters.'
              : 'Every token issue, redemption and refusal appears here.'}
          </EmptyState>
        }
        page={page}
        perPage={PER_PAGE}
        pagesLabel="Activity pages"
        onPage={(p) => {
          update('page', String(p));
        }}
      >
        {(items) => (
          <DataTable
            caption="Single sign-on events"
            columns={['Time', 'Event', 'Outcome', 'Source', 'Client', 'User', 'Destination', 'IP']}
          >
            {items.map((e) => (
              <tr key={e.id}>
                <td className="nowrap">{e.time ? new Date(e.time).toLocaleString() : '—'}</td>
                <td>{KINDS[e.kind] ?? e.kind}</td>
                <td>
                  {e.outcome === 'success' ? (
                    <Badge tone="success">Success</Badge>
                  ) : (
                    <>
                      <Badge tone="danger">Refused</Badge>
                      {e.reason ? <div className="field__hint">{e.reason}</div> : null}
                    </>
                  )}
                </td>
                <td>
                  {SOURCES[e.source] ?? e.source}
                  {e.server_id ? <span className="muted"> · server #{e.server_id}</span> : null}
                  {e.credential_id ? (
                    <span className="muted"> · credential #{e.credential_id}</span>
                  ) : null}
                </td>
                <td>
                  {e.client_id ? (
                    <Link to={`/clients/${String(e.client_id)}`}>#{e.client_id}</Link>
                  ) : (
                    '—'
                  )}
                  {e.service_id ? <span className="muted"> · service #{e.service_id}</span> : null}
                </td>
                <td>{e.user_id ? `#${String(e.user_id)}` : '—'}</td>
                <td className="mono">{e.destination || '—'}</td>
                <td className="mono">{e.ip || '—'}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedListState>
    </>
  );
}
