import { useState } from 'react';
import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, PagedListState } from '@/components/ui/states';
import { useFilterParams } from '@/hooks/use-filter-params';
import { useServices, type ServicesQuery } from '../api/get-services';
import { moduleName, serviceStatusTone, type Service, type StatusAction } from './labels';
import { useHasPermission } from '@/lib/auth';
import { useServerChoices } from '../api/get-server-choices';
import { useApplicationSwitches } from '../api/get-application-switches';
import { ServiceFormDialog } from './service-form-dialog';
import { ServicesFilters } from './services-filters';
import { ServiceStatusDialog } from './service-status-dialog';
import { LinkStateCell } from './link-state';
import { ServiceRowActions, type LinksBlocked, type ServiceRow } from './service-row-actions';

const PER_PAGE = 25;

type Pending =
  | { kind: 'edit'; service: Service }
  | { kind: 'status'; service: Service; action: StatusAction }
  | { kind: 'create' };

function useServicesQuery(clientId: number | undefined) {
  const { params, update, page } = useFilterParams();
  const values = {
    q: params.get('q') ?? '',
    serverId: params.get('server_id') ?? '',
    status: params.get('status') ?? '',
    clientId: clientId === undefined ? (params.get('client_id') ?? '') : String(clientId),
  };
  const query: ServicesQuery = { page, per_page: PER_PAGE, order: 'newest' };
  if (values.q) query.q = values.q;
  if (values.serverId) query.server_id = Number(values.serverId);
  if (values.status) query.status = values.status;
  if (Number(values.clientId) > 0) query.client_id = Number(values.clientId);
  const filtered = Boolean(values.q || values.serverId || values.status || params.get('client_id'));
  return { values, page, query, filtered, update };
}

/**
 * Hosting accounts, newest first, with filters and paging kept in the URL, each with the state
 * of its application links (up to date, pending, failed with the panel's error); each row can be
 * edited (or moved to another server), and its "More" menu suspends, unsuspends or terminates it
 * (and syncs it or rotates its link secret, for admins who configure links). With `clientId`
 * (a client's page) the list is that client's.
 */
export function ServicesList({ clientId }: { clientId?: number }) {
  const { values, page, query, filtered, update } = useServicesQuery(clientId);
  const services = useServices(query);
  const [pending, setPending] = useState<Pending | null>(null);
  const close = () => {
    setPending(null);
  };

  return (
    <>
      <ServicesFilters values={values} fixedClient={clientId !== undefined} onChange={update}>
        <Button
          variant="primary"
          onClick={() => {
            setPending({ kind: 'create' });
          }}
        >
          Add hosting account
        </Button>
      </ServicesFilters>
      <PagedListState
        query={services}
        loading="Loading services…"
        errorTitle="Could not load the services"
        empty={
          filtered ? (
            <EmptyState title="No hosting accounts match">
              Change the search or the filters.
            </EmptyState>
          ) : (
            <EmptyState title="No hosting accounts yet" />
          )
        }
        page={page}
        perPage={PER_PAGE}
        pagesLabel="Services pages"
        onPage={(p) => {
          update('page', String(p));
        }}
      >
        {(items) => (
          <ServicesTable
            items={items}
            showClient={clientId === undefined}
            busy={services.isPlaceholderData}
            onPick={setPending}
          />
        )}
      </PagedListState>
      {pending?.kind === 'create' ? (
        <ServiceFormDialog clientId={clientId} onClose={close} />
      ) : null}
      {pending?.kind === 'edit' ? (
        <ServiceFormDialog service={pending.service} onClose={close} />
      ) : null}
      {pending?.kind === 'status' ? (
        <ServiceStatusDialog service={pending.service} action={pending.action} onClose={close} />
      ) : null}
    </>
  );
}

function ServicesTable({
  items,
  showClient,
  busy,
  onPick,
}: {
  items: ServiceRow[];
  showClient: boolean;
  busy: boolean;
  onPick: (p: Pending) => void;
}) {
  const columns = ['Domain', 'Username', 'Application', 'Server', 'Status', 'Links'];
  if (showClient) columns.splice(2, 0, 'Client');
  const servers = useServersById();
  const linksBlocked = useLinksBlocked(servers);
  return (
    <DataTable
      caption="Hosting accounts"
      columns={[...columns, { label: 'Actions', visuallyHidden: true }]}
      busy={busy}
    >
      {items.map((s) => (
        <tr key={s.id}>
          <td>{s.domain}</td>
          <td className="mono">{s.username}</td>
          {showClient ? (
            <td>
              <Link to={`/clients/${String(s.client_id)}`}>#{s.client_id}</Link>
            </td>
          ) : null}
          <td>{moduleName(s.module)}</td>
          <td>
            <Link to={`/servers/${String(s.server_id)}`}>
              {servers.get(s.server_id)?.name ?? `#${String(s.server_id)}`}
            </Link>
          </td>
          <td>
            <Badge tone={serviceStatusTone(s.status)}>{s.status}</Badge>
          </td>
          <td>
            <LinkStateCell state={s.link_state} />
          </td>
          <td className="num">
            <ServiceRowActions
              service={s}
              linksBlocked={linksBlocked}
              onEdit={() => {
                onPick({ kind: 'edit', service: s });
              }}
              onStatus={(action) => {
                onPick({ kind: 'status', service: s, action });
              }}
            />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** The servers the list knows (the filter's choices: the first 200), by id. */
function useServersById(): Map<number, { name: string; active: boolean }> {
  const choices = useServerChoices();
  return new Map(
    (choices.data?.items ?? []).map((v) => [v.id, { name: v.name, active: v.active }]),
  );
}

/**
 * For admins who may configure application links (else null): why an account's link actions
 * cannot run now, or undefined when they can. Its application must be enabled and its server
 * (when known) active; the API checks the rest (no other operation running) and says so when it
 * refuses.
 */
function useLinksBlocked(
  servers: Map<number, { name: string; active: boolean }>,
): LinksBlocked | null {
  const can = useHasPermission('configure_application_links');
  const switches = useApplicationSwitches(can);
  if (!can) return null;
  return (s) => {
    if (switches.data?.get(s.module) === false)
      return `${moduleName(s.module)} is disabled: enable its application links first.`;
    const srv = servers.get(s.server_id);
    return srv?.active === false
      ? `Server ${srv.name} is deactivated: activate it first.`
      : undefined;
  };
}
