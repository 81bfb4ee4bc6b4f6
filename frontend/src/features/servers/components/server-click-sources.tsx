import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState } from '@/components/ui/states';
import { Spinner } from '@/components/ui/spinner';
import { errorMessage } from '@/lib/api-error';
import { useServerSSOSources, type SSOSourceSeen } from '../api/get-server-sso-sources';
import { useUpdateServer } from '../api/update-server';

type Server = Schema<'rest.ServerAnswer'>;

const COLUMNS = [
  'Address',
  { label: 'Clicks', className: 'num' },
  { label: 'Refused', className: 'num' },
  'Last click',
  'Allowed',
  { label: 'Actions', visuallyHidden: true },
] as const;

/**
 * Where the server's cPanel clicks came from lately, so staff can fill its SSO source addresses
 * from what they see: "Allow" adds an address to the list. While the list is empty every address
 * is accepted, and the first "Allow" starts the list, so it asks first.
 */
export function ServerClickSources({ server }: { server: Server }) {
  const sources = useServerSSOSources(server.id);
  const allow = useUpdateServer();
  const [confirm, setConfirm] = useState<string | undefined>();
  const listed = server.sso_sources;

  function add(ip: string) {
    allow.mutate(
      { id: server.id, patch: { sso_sources: [...listed, ip] } },
      {
        onSuccess: () => {
          setConfirm(undefined);
        },
      },
    );
  }

  return (
    <section className="card" aria-labelledby="click-sources-title">
      <h2 id="click-sources-title" className="section-title">
        Recent click sources
      </h2>
      <p className="field__hint">
        {listed.length === 0
          ? 'The addresses cPanel clicks on this server came from in the last 30 days. The server has no SSO source addresses, so clicks from any address are accepted.'
          : `The addresses cPanel clicks on this server came from in the last 30 days. Only clicks from ${listed.join(', ')} are accepted.`}
      </p>
      <div aria-live="polite">
        {allow.isError && !confirm ? <Alert tone="error">{errorMessage(allow.error)}</Alert> : null}
      </div>
      {sources.isPending ? <Spinner label="Loading click sources…" /> : null}
      {sources.isError ? (
        <ErrorState
          error={sources.error}
          title="Could not load the click sources"
          onRetry={() => void sources.refetch()}
        />
      ) : null}
      {sources.isSuccess && sources.data.items.length === 0 ? (
        <EmptyState title="No clicks in the last 30 days">
          Addresses appear here once customers use the links on this server.
        </EmptyState>
      ) : null}
      {sources.isSuccess && sources.data.items.length > 0 ? (
        <DataTable caption="Recent click sources" columns={COLUMNS}>
          {sources.data.items.map((src) => (
            <SourceRow
              key={src.ip}
              src={src}
              anyAddress={listed.length === 0}
              busy={allow.isPending && allow.variables.patch.sso_sources?.includes(src.ip) === true}
              onAllow={() => {
                if (listed.length === 0) setConfirm(src.ip);
                else add(src.ip);
              }}
            />
          ))}
        </DataTable>
      ) : null}
      {confirm ? (
        <ConfirmDialog
          title={`Accept clicks only from ${confirm}?`}
          confirmLabel="Start the list"
          tone="primary"
          busy={allow.isPending}
          error={allow.error}
          onCancel={() => {
            allow.reset();
            setConfirm(undefined);
          }}
          onConfirm={() => {
            add(confirm);
          }}
        >
          <p>
            This server has no SSO source addresses yet, so clicks from any address are accepted.
            Allowing {confirm} starts the list: from then on, clicks from addresses not on it are
            refused. Allow every address your cPanel server sends clicks from.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/**
 * One address. With a list, it is allowed or refused, and a refused one can be allowed; without
 * a list, any address is accepted and each can start the list.
 */
function SourceRow({
  src,
  anyAddress,
  busy,
  onAllow,
}: {
  src: SSOSourceSeen;
  anyAddress: boolean;
  busy: boolean;
  onAllow: () => void;
}) {
  return (
    <tr>
      <td>
        <code>{src.ip}</code>
      </td>
      <td className="num">{String(src.clicks)}</td>
      <td className="num">{String(src.refused)}</td>
      <td className="nowrap">{new Date(src.last_at).toLocaleString()}</td>
      <td>
        {anyAddress ? (
          <Badge>Any address</Badge>
        ) : src.allowed ? (
          <Badge tone="success">On the list</Badge>
        ) : (
          <Badge tone="danger">Refused</Badge>
        )}
      </td>
      <td>
        {src.allowed && !anyAddress ? null : (
          <Button size="sm" busy={busy} aria-label={`Allow ${src.ip}`} onClick={onAllow}>
            Allow
          </Button>
        )}
      </td>
    </tr>
  );
}
