import { useCallback, type ReactNode } from 'react';
import { SearchInput } from '@/components/ui/search-input';
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
      <label className="visually-hidden" htmlFor="services-server">
        Server
      </label>
      <select
        id="services-server"
        className="input"
        value={values.serverId}
        onChange={(e) => {
          onChange('server_id', e.target.value);
        }}
      >
        <option value="">All servers</option>
        {(servers.data?.items ?? []).map((s) => (
          <option key={s.id} value={String(s.id)}>
            {s.name}
          </option>
        ))}
      </select>
      <label className="visually-hidden" htmlFor="services-status">
        Status
      </label>
      <select
        id="services-status"
        className="input"
        value={values.status}
        onChange={(e) => {
          onChange('status', e.target.value);
        }}
      >
        <option value="">All statuses</option>
        {SERVICE_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
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
