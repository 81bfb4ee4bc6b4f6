import { useRef, useState, type SubmitEvent } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox-field';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { TextAreaField } from '@/components/ui/textarea-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import type { ServerInput } from '../api/create-server';
import type { ServerPatch } from '../api/update-server';
import { MODULES } from './module-name';

type Server = Schema<'rest.ServerAnswer'>;

interface Values {
  module: string;
  name: string;
  hostname: string;
  port: string;
  secure: boolean;
  verify_tls: boolean;
  username: string;
  api_token: string;
  active: boolean;
  /** The SSO source addresses as typed: one address or CIDR range per line. */
  sso_sources: string;
}

type Field = keyof Values;
type Errors = Partial<Record<Field, string>>;

function initialValues(server?: Server): Values {
  return {
    module: server?.module ?? 'cpanel',
    name: server?.name ?? '',
    hostname: server?.hostname ?? '',
    port: String(server?.port ?? 2087),
    secure: server?.secure ?? true,
    verify_tls: server?.verify_tls ?? true,
    username: server?.username ?? 'root',
    api_token: '', // write-only: never pre-filled
    active: server?.active ?? true,
    sso_sources: sourcesText(server?.sso_sources),
  };
}

/** A list of SSO source addresses as the field shows it: one per line. */
export function sourcesText(list: readonly string[] | undefined): string {
  return (list ?? []).join('\n');
}

/**
 * The entries of the SSO source addresses field: one per line (commas and spaces separate too,
 * for a pasted list), blanks dropped. The API checks and normalises each entry.
 */
export function parseSources(text: string): string[] {
  return text.split(/[\s,;]+/).filter((entry) => entry !== '');
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The fields that say where or how the server is reached, in the API's words. */
const REACH_FIELDS = {
  hostname: 'hostname',
  port: 'port',
  secure: 'HTTPS',
  verify_tls: 'the certificate check',
  username: 'WHM username',
} as const;

/**
 * The first field that changes where or how the stored server is reached, or undefined.
 * Changing one needs the API token again: the stored token is only ever sent to the address
 * it was entered for.
 */
export function reachChange(v: Values, server?: Server): string | undefined {
  if (!server) return undefined;
  const now = {
    hostname: v.hostname.trim().toLowerCase() !== server.hostname,
    port: Number(v.port) !== server.port,
    secure: v.secure !== server.secure,
    // Over plain HTTP there is no certificate: the stored setting is kept (see submit).
    verify_tls: v.secure && v.verify_tls !== server.verify_tls,
    username: v.username.trim() !== server.username,
  };
  const key = (Object.keys(REACH_FIELDS) as (keyof typeof REACH_FIELDS)[]).find((k) => now[k]);
  return key ? REACH_FIELDS[key] : undefined;
}

/** Client-side checks mirroring the server's; the server stays the judge. */
export function validateServer(v: Values, creating: boolean, server?: Server): Errors {
  const e: Errors = {};
  if (!v.name.trim()) e.name = 'Enter a name.';
  const host = v.hostname.trim();
  if (!host) e.hostname = 'Enter the hostname.';
  else if (/[/:@\s]/.test(host) && !/^\[?[0-9a-f:]+\]?$/i.test(host))
    e.hostname = 'Enter a bare hostname or IP address, without scheme, port or path.';
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) e.port = 'Enter a port from 1 to 65535.';
  if (!v.username.trim()) e.username = 'Enter the WHM username.';
  if (creating && !v.api_token.trim()) e.api_token = 'Enter the WHM API token.';
  const changed = reachChange(v, server);
  if (changed && !v.api_token.trim())
    e.api_token = `You changed ${changed}: enter the API token again to send it there.`;
  return e;
}

const FIELD_ORDER: Field[] = [
  'module',
  'name',
  'hostname',
  'port',
  'username',
  'api_token',
  'sso_sources',
];

/** The form field an API error names: `sso_sources[2]` is the SSO source addresses field. */
function formField(field: string): Field {
  return (field.startsWith('sso_sources') ? 'sso_sources' : field) as Field;
}

export type ServerFormSubmit =
  { mode: 'create'; input: ServerInput } | { mode: 'edit'; patch: ServerPatch };

/**
 * Add or edit a server. The API token is write-only: the field is always empty; on edit,
 * leaving it empty keeps the stored token, unless where or how the server is reached changes
 * (then the token is asked for again, as the API requires). Server-side validation errors that name a field
 * are shown on that field.
 */
export function ServerForm({
  server,
  submitting,
  error,
  onSubmit,
  onCancel,
}: {
  server?: Server;
  submitting: boolean;
  error: unknown;
  onSubmit: (s: ServerFormSubmit) => void;
  onCancel: () => void;
}) {
  const creating = !server;
  const [values, setValues] = useState<Values>(() => initialValues(server));
  const [errors, setErrors] = useState<Errors>({});
  const formRef = useRef<HTMLFormElement>(null);

  // Follow a change of the stored list made elsewhere (the "Allow" action of the recent click
  // sources) while the field holds what was stored before, i.e. has not been edited.
  const storedSources = sourcesText(server?.sso_sources);
  const [shownSources, setShownSources] = useState(storedSources);
  if (storedSources !== shownSources) {
    setShownSources(storedSources);
    if (values.sso_sources === shownSources) {
      setValues((v) => ({ ...v, sso_sources: storedSources }));
    }
  }

  const changedReach = reachChange(values, server);
  const serverField = error instanceof ApiError && error.field ? formField(error.field) : undefined;
  const fieldError = (f: Field) =>
    errors[f] ?? (serverField === f ? errorMessage(error) : undefined);

  function set<K extends Field>(key: K, value: Values[K]) {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  }

  function onSecure(secure: boolean) {
    setValues((v) => {
      // Follow WHM's conventional ports when the user has not picked another one.
      let port = v.port;
      if (!secure && port === '2087') port = '2086';
      if (secure && port === '2086') port = '2087';
      return { ...v, secure, port };
    });
  }

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const errs = validateServer(values, creating, server);
    setErrors(errs);
    const first = FIELD_ORDER.find((f) => errs[f]);
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    const common = {
      name: values.name.trim(),
      hostname: values.hostname.trim(),
      port: Number(values.port),
      secure: values.secure,
      verify_tls: values.secure ? values.verify_tls : (server?.verify_tls ?? false),
      username: values.username.trim(),
      active: values.active,
    };
    const token = values.api_token.trim();
    const sources = parseSources(values.sso_sources);
    if (creating) {
      onSubmit({
        mode: 'create',
        input: {
          ...common,
          module: values.module as ServerInput['module'],
          api_token: token,
          sso_sources: sources,
        },
      });
      return;
    }
    // The list is sent only when it changed, so that saving other fields never puts back a
    // list that changed since the form was opened.
    const patch: ServerPatch = token ? { ...common, api_token: token } : { ...common };
    if (!sameList(sources, server.sso_sources)) patch.sso_sources = sources;
    onSubmit({ mode: 'edit', patch });
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="card">
      {error && !serverField ? <Alert tone="error">{errorMessage(error)}</Alert> : null}
      <div className="form-grid">
        {creating ? (
          <SelectField
            label="Application"
            name="module"
            options={MODULES.map((m) => ({ value: m.value, label: m.label }))}
            value={values.module}
            error={fieldError('module')}
            onChange={(e) => {
              set('module', e.target.value);
            }}
          />
        ) : null}
        <TextField
          label="Name"
          name="name"
          required
          value={values.name}
          error={fieldError('name')}
          onChange={(e) => {
            set('name', e.target.value);
          }}
        />
        <TextField
          label="Hostname"
          name="hostname"
          required
          hint="e.g. cp1.example.com, without https:// or a port"
          value={values.hostname}
          error={fieldError('hostname')}
          onChange={(e) => {
            set('hostname', e.target.value);
          }}
        />
        <TextField
          label="Port"
          name="port"
          inputMode="numeric"
          required
          value={values.port}
          error={fieldError('port')}
          onChange={(e) => {
            set('port', e.target.value);
          }}
        />
        <TextField
          label="WHM username"
          name="username"
          required
          autoComplete="off"
          value={values.username}
          error={fieldError('username')}
          onChange={(e) => {
            set('username', e.target.value);
          }}
        />
        <TextField
          label="API token"
          name="api_token"
          type="password"
          autoComplete="new-password"
          required={creating || changedReach !== undefined}
          hint={
            creating
              ? 'A WHM API token of this user. It is stored encrypted and never shown again.'
              : changedReach
                ? `You changed ${changedReach}: enter the API token again. The stored token is only sent to the address it was entered for.`
                : server.has_api_token
                  ? 'A token is stored. Leave empty to keep it, or enter a new one to replace it.'
                  : 'No token is stored yet. Enter one.'
          }
          value={values.api_token}
          error={fieldError('api_token')}
          onChange={(e) => {
            set('api_token', e.target.value);
          }}
        />
        <div className="span-2">
          <CheckboxField
            label="Use HTTPS"
            name="secure"
            hint="Off only for plain-HTTP ports such as 2086 or a local simulator."
            checked={values.secure}
            onChange={onSecure}
          />
          <CheckboxField
            label="Verify the TLS certificate"
            name="verify_tls"
            hint="Turn off only for a server with a self-signed certificate."
            checked={values.secure && values.verify_tls}
            disabled={!values.secure}
            onChange={(c) => {
              set('verify_tls', c);
            }}
          />
          <CheckboxField
            label="Active"
            name="active"
            hint="Inactive servers are skipped by provisioning; their accounts keep what they have."
            checked={values.active}
            onChange={(c) => {
              set('active', c);
            }}
          />
        </div>
        <TextAreaField
          label="SSO source addresses"
          name="sso_sources"
          className="span-2"
          rows={4}
          spellCheck={false}
          autoComplete="off"
          placeholder={'203.0.113.7\n198.51.100.0/24'}
          hint="The addresses this server's cPanel clicks come from: one IPv4 or IPv6 address or CIDR range per line, at most 50. A click from any other address is refused. Leave empty to accept clicks from any address. The server page lists the addresses of recent clicks."
          value={values.sso_sources}
          error={fieldError('sso_sources')}
          onChange={(e) => {
            set('sso_sources', e.target.value);
          }}
        />
      </div>
      <div className="form-actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={submitting}>
          {creating ? 'Add server' : 'Save changes'}
        </Button>
      </div>
    </form>
  );
}
