import { useCallback, useState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { SearchInput } from '@/components/ui/search-input';
import { FilterSelect } from '@/components/ui/filter-select';
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
        <FilterSelect
          id="log-level"
          label="Level"
          value={values.level}
          all="All levels"
          options={LEVELS}
          onChange={(v) => {
            onChange('level', v);
          }}
        />
        <FilterSelect
          id="log-server"
          label="Server"
          value={values.server}
          all="All servers"
          options={servers.map((s) => ({
            value: String(s.server_id),
            label: s.server_name || `#${String(s.server_id)}`,
          }))}
          onChange={(v) => {
            onChange('server', v);
          }}
        />
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
