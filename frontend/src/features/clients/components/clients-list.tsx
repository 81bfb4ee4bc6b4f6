import { useCallback } from 'react';
import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { DataTable } from '@/components/ui/data-table';
import { SearchInput } from '@/components/ui/search-input';
import { EmptyState, PagedListState } from '@/components/ui/states';
import { FilterSelect, valueOptions } from '@/components/ui/filter-select';
import { useFilterParams } from '@/hooks/use-filter-params';
import { useClients, type ClientsQuery } from '../api/get-clients';
import { CLIENT_STATUSES, clientStatusTone } from './labels';

const PER_PAGE = 25;

/** Clients with search, a status filter and paging kept in the URL. */
export function ClientsList() {
  const { params, update, page } = useFilterParams();
  const q = params.get('q') ?? '';
  const status = params.get('status') ?? '';

  const query: ClientsQuery = { page, per_page: PER_PAGE };
  if (q) query.q = q;
  if (status) query.status = status;
  const clients = useClients(query);

  const onSearch = useCallback(
    (v: string) => {
      update('q', v);
    },
    [update],
  );

  return (
    <>
      <div className="toolbar">
        <SearchInput
          label="Search clients"
          placeholder="Search by name or email"
          value={q}
          onSearch={onSearch}
        />
        <FilterSelect
          id="clients-status"
          label="Status"
          hiddenLabel
          value={status}
          all="All statuses"
          options={valueOptions(CLIENT_STATUSES)}
          onChange={(v) => {
            update('status', v);
          }}
        />
      </div>
      <PagedListState
        query={clients}
        loading="Loading clients…"
        errorTitle="Could not load the clients"
        empty={
          q || status ? (
            <EmptyState title="No clients match">
              Change the search or the status filter.
            </EmptyState>
          ) : (
            <EmptyState
              title="No clients yet"
              action={
                <Link className="btn btn--primary" to="/clients/new">
                  Add client
                </Link>
              }
            />
          )
        }
        page={page}
        perPage={PER_PAGE}
        pagesLabel="Clients pages"
        onPage={(p) => {
          update('page', String(p));
        }}
      >
        {(items) => (
          <DataTable caption="Clients" columns={['Name', 'Email', 'Status', 'Single sign-on']}>
            {items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/clients/${String(c.id)}`}>{c.name}</Link>
                </td>
                <td>{c.email}</td>
                <td>
                  <Badge tone={clientStatusTone(c.status)}>{c.status}</Badge>
                </td>
                <td>
                  {c.allow_sso ? (
                    <Badge tone="success">Allowed</Badge>
                  ) : (
                    <Badge tone="warning">Blocked</Badge>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </PagedListState>
    </>
  );
}
