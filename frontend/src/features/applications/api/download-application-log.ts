import { api } from '@/lib/api-client';
import type { LogQuery } from './get-application-log';

/** The filters of the CSV download: the log's, without paging. */
export type LogCsvQuery = Omit<LogQuery, 'page' | 'per_page'>;

/**
 * GET /api/v1/applications/{module}/log.csv with the current filters, saved as a file. The call
 * goes through the API client for its Bearer token (a plain link could not send it); the server
 * streams the rows.
 */
export async function downloadApplicationLog(module: string, query: LogCsvQuery): Promise<void> {
  const { data } = await api.GET('/api/v1/applications/{module}/log.csv', {
    params: { path: { module }, query },
    parseAs: 'blob',
  });
  if (!data) return;
  const url = URL.createObjectURL(data);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = `${module}-log.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    URL.revokeObjectURL(url);
  }
}
