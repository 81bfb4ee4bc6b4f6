import { useCallback, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SearchInput } from '@/components/ui/search-input';
import { errorMessage } from '@/lib/api-error';
import { downloadApplicationLog, type LogCsvQuery } from '../api/download-application-log';
import { LEVELS } from './level-badge';

/** The log filters kept in the URL. */
export interface LogFilterValues {
  level: string;
  server: string;
  account: string;
  q: string;
  /** 'oldest', or '' for the default, newest first. */
  order: string;
}

/**
 * The View Log toolbar: level, server, account and message search, the order toggle and the
 * CSV download of what the filters select.
 */
export function LogFilters({
  module,
  values,
  servers,
  csvQuery,
  onChange,
}: {
  module: string;
  values: LogFilterValues;
  servers: { server_id: number; server_name: string }[];
  csvQuery: LogCsvQuery;
  onChange: (key: keyof LogFilterValues, value: string) => void;
}) {
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const onAccount = useCallback(
    (v: string) => {
      onChange('account', v.trim());
    },
    [onChange],
  );
  const onSearch = useCallback(
    (v: string) => {
      onChange('q', v);
    },
    [onChange],
  );
  const download = () => {
    setDownloading(true);
    setDownloadError(null);
    downloadApplicationLog(module, csvQuery)
      .catch((e: unknown) => {
        setDownloadError(e);
      })
      .finally(() => {
        setDownloading(false);
      });
  };

  return (
    <>
      <div className="toolbar">
        <label className="inline-label" htmlFor="log-level">
          Level
          <select
            id="log-level"
            className="input"
            value={values.level}
            onChange={(e) => {
              onChange('level', e.target.value);
            }}
          >
            <option value="">All levels</option>
            {LEVELS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-label" htmlFor="log-server">
          Server
          <select
            id="log-server"
            className="input"
            value={values.server}
            onChange={(e) => {
              onChange('server', e.target.value);
            }}
          >
            <option value="">All servers</option>
            {servers.map((s) => (
              <option key={s.server_id} value={String(s.server_id)}>
                {s.server_name || `#${String(s.server_id)}`}
              </option>
            ))}
          </select>
        </label>
        <SearchInput
          label="Account"
          placeholder="Account (username)"
          value={values.account}
          onSearch={onAccount}
        />
        <SearchInput label="Search messages" value={values.q} onSearch={onSearch} />
        <Button
          size="sm"
          aria-pressed={values.order === 'oldest'}
          onClick={() => {
            onChange('order', values.order === 'oldest' ? '' : 'oldest');
          }}
        >
          {values.order === 'oldest' ? 'Oldest first' : 'Newest first'}
        </Button>
        <Button size="sm" busy={downloading} onClick={download}>
          Download CSV
        </Button>
      </div>
      {downloadError ? <Alert tone="error">{errorMessage(downloadError)}</Alert> : null}
    </>
  );
}
