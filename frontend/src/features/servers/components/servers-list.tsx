import { useCallback } from 'react';
import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { DataTable } from '@/components/ui/data-table';
import { SearchInput } from '@/components/ui/search-input';
import { EmptyState, PagedListState } from '@/components/ui/states';
import { FilterSelect } from '@/components/ui/filter-select';
import { useFilterParams } from '@/hooks/use-filter-params';
import { useServers, type ServersQuery } from '../api/get-servers';
import { MODULES, moduleName } from './module-name';
import { ServerSupport } from './server-support';

const PER_PAGE = 25;
const ACTIVE_OPTIONS = [
  { value: 'true', label: 'Active only' },
  { value: 'false', label: 'Inactive only' },
];

/** The servers table with search, filters and paging kept in the URL. */
export function ServersList() {
  const { params, update, page } = useFilterParams();
  const q = params.get('q') ?? '';
  const module = params.get('module') ?? '';
  const active = params.get('active') ?? '';

  const query: ServersQuery = { page, per_page: PER_PAGE };
  if (q) query.q = q;
  if (module) query.module = module;
  if (active) query.active = active === 'true';
  const servers = useServers(query);

  const onSearch = useCallback(
    (v: string) => {
      update('q', v);
    },
    [update],
  );

  const filtered = Boolean(q || module || active);

  return (
    <>
      <div className="toolbar">
        <SearchInput
          label="Search servers"
          placeholder="Search by name or hostname"
          value={q}
          onSearch={onSearch}
        />
        <FilterSelect
          id="servers-module"
          label="Application"
          hiddenLabel
          value={module}
          all="All applications"
          options={MODULES}
          onChange={(v) => {
            update('module', v);
          }}
        />
        <FilterSelect
          id="servers-active"
          label="State"
          hiddenLabel
          value={active}
          all="Active and inactive"
          options={ACTIVE_OPTIONS}
          onChange={(v) => {
            update('active', v);
          }}
        />
      </div>

      <PagedListState
        query={servers}
        loading="Loading servers…"
        errorTitle="Could not load the servers"
        empty={
          filtered ? (
            <EmptyState title="No servers match">Change the search or the filters.</EmptyState>
          ) : (
            <EmptyState
              title="No servers yet"
              action={
                <Link className="btn btn--primary" to="/servers/new">
                  Add server
                </Link>
              }
            >
              Add a cPanel &amp; WHM or WP Squared server so its accounts can get application links.
            </EmptyState>
          )
        }
        page={page}
        perPage={PER_PAGE}
        pagesLabel="Servers pages"
        onPage={(p) => {
          update('page', String(p));
        }}
      >
        {(items) => (
          <DataTable
            caption="Servers"
            busy={servers.isFetching}
            columns={[
              'Name',
              'Application',
              'Hostname',
              'State',
              'Version',
              'Application links',
              { label: 'Accounts', className: 'num' },
            ]}
          >
            {items.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link to={`/servers/${String(s.id)}`}>{s.name}</Link>
                </td>
                <td>{moduleName(s.module)}</td>
                <td className="mono">
                  {s.hostname}:{s.port}
                  {s.secure ? null : <span className="muted"> (http)</span>}
                </td>
                <td>{s.active ? <Badge tone="success">Active</Badge> : <Badge>Inactive</Badge>}</td>
                <td>{s.version || <span className="muted">—</span>}</td>
                <td>
                  <ServerSupport server={s} />
                </td>
                <td className="num">{s.services}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedListState>
    </>
  );
}
