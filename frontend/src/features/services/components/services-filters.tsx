import { useCallback, type ReactNode } from 'react';
import { SearchInput } from '@/components/ui/search-input';
import { FilterSelect, valueOptions } from '@/components/ui/filter-select';
import { useServerChoices } from '../api/get-server-choices';
import { SERVICE_STATUSES } from './labels';

/** The values of the services filters, as kept in the URL. */
export interface ServiceFilterValues {
  q: string;
  serverId: string;
  status: string;
  clientId: string;
}

/** Search on username or domain, server, status and (unless fixed) client number. */
export function ServicesFilters({
  values,
  fixedClient,
  onChange,
  children,
}: {
  values: ServiceFilterValues;
  fixedClient: boolean;
  /** Shown at the end of the toolbar, e.g. the Add button. */
  children?: ReactNode;
  onChange: (key: 'q' | 'server_id' | 'status' | 'client_id', value: string) => void;
}) {
  const servers = useServerChoices();
  const onSearch = useCallback(
    (v: string) => {
      onChange('q', v);
    },
    [onChange],
  );
  return (
    <div className="toolbar">
      <SearchInput
        label="Search services"
        placeholder="Search by username or domain"
        value={values.q}
        onSearch={onSearch}
      />
      <FilterSelect
        id="services-server"
        label="Server"
        hiddenLabel
        value={values.serverId}
        all="All servers"
        options={(servers.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
        onChange={(v) => {
          onChange('server_id', v);
        }}
      />
      <FilterSelect
        id="services-status"
        label="Status"
        hiddenLabel
        value={values.status}
        all="All statuses"
        options={valueOptions(SERVICE_STATUSES)}
        onChange={(v) => {
          onChange('status', v);
        }}
      />
      {fixedClient ? null : (
        <>
          <label className="visually-hidden" htmlFor="services-client">
            Client number
          </label>
          <input
            id="services-client"
            className="input"
            inputMode="numeric"
            placeholder="Client #"
            value={values.clientId}
            onChange={(e) => {
              onChange('client_id', e.target.value.replace(/\D/g, ''));
            }}
          />
        </>
      )}
      {children}
    </div>
  );
}
