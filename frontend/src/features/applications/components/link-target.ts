/**
 * Link targets on the Configure screen: the client-side mirror of the server's rules
 * (api/links/target.go, ValidateURLTemplate and RenderURLTemplate), so the preview shows what a
 * click would open. The server checks again when saving and is the authority.
 */

export type TargetKind = 'client_area' | 'external';

export const PLACEHOLDERS = [
  'client_id',
  'client_external_id',
  'service_id',
  'service_external_id',
  'username',
  'domain',
  'destination',
] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TargetValues = Record<Placeholder, string>;

/** The one sample account the preview renders for (one without external ids). */
export function sampleValues(destination: string): TargetValues {
  return {
    client_id: '7',
    client_external_id: '',
    service_id: '42',
    service_external_id: '',
    username: 'acme',
    domain: 'acme.example',
    destination,
  };
}

const MAX_LENGTH = 2000;

interface Part {
  text: string;
  placeholder: boolean;
}

/** Splits a template into literal text and placeholders, or answers what is wrong. */
function split(template: string): Part[] | string {
  const parts: Part[] = [];
  let rest = template;
  while (rest !== '') {
    const open = rest.search(/[{}]/);
    if (open < 0) {
      parts.push({ text: rest, placeholder: false });
      break;
    }
    if (rest[open] === '}') return 'A } has no {: placeholders are written {service_id}.';
    const after = rest.slice(open + 1);
    const end = after.search(/[{}]/);
    if (end < 0 || after[end] === '{')
      return 'A { has no }: placeholders are written {service_id}.';
    const name = after.slice(0, end);
    if (!(PLACEHOLDERS as readonly string[]).includes(name))
      return `Unknown placeholder {${name}}: use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`;
    if (open > 0) parts.push({ text: rest.slice(0, open), placeholder: false });
    parts.push({ text: name, placeholder: true });
    rest = after.slice(end + 1);
  }
  return parts;
}

/** Go's url.QueryEscape with spaces as %20: everything but A-Z a-z 0-9 - . _ ~ is encoded. */
export function escapeValue(v: string): string {
  return encodeURIComponent(v).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function render(parts: Part[], values: TargetValues): string {
  return parts
    .map((p) => (p.placeholder ? escapeValue(values[p.text as Placeholder]) : p.text))
    .join('');
}

/**
 * What is wrong with a URL template, or undefined. allowHTTP: the service's own public URL is
 * http (the demo), which admits http targets too.
 */
export function templateError(template: string, allowHTTP: boolean): string | undefined {
  const want = allowHTTP ? 'an https (or http) URL' : 'an https URL';
  if (template.trim() === '')
    return 'Enter the URL, e.g. https://billing.example.com/invoices?service={service_id}.';
  if (new TextEncoder().encode(template).length > MAX_LENGTH)
    return `Use at most ${String(MAX_LENGTH)} bytes.`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\\\u0000-\u001f\u007f-\u009f]/u.test(template))
    return 'Remove spaces, backslashes and control characters.';
  const parts = split(template);
  if (typeof parts === 'string') return parts;
  const sep = template.indexOf('://');
  const scheme = sep < 0 ? '' : template.slice(0, sep).toLowerCase();
  if (
    sep < 0 ||
    /[{}/?#]/.test(scheme) ||
    !(scheme === 'https' || (allowHTTP && scheme === 'http'))
  )
    return `Use ${want}, e.g. https://billing.example.com/invoices?service={service_id}.`;
  const after = template.slice(sep + 3);
  const authEnd = after.search(/[/?#]/);
  const authority = authEnd < 0 ? after : after.slice(0, authEnd);
  if (/[{}]/.test(authority)) return 'Write the host out: placeholders may appear only after it.';
  if (authority === '' || authority.includes('@') || authority.startsWith(':'))
    return `Use ${want} with a host and without user info.`;
  try {
    new URL(render(parts, sampleValues('k')));
  } catch {
    return `Use ${want} with a host and without user info.`;
  }
  return undefined;
}

/** The URL a click would open for values, or undefined when the template is invalid. */
export function renderTemplate(template: string, values: TargetValues): string | undefined {
  const parts = split(template);
  return typeof parts === 'string' ? undefined : render(parts, values);
}

/** Whether this page is served over http, the hint that the public URL is http. */
export function pageIsHTTP(): boolean {
  return typeof window !== 'undefined' && window.location.protocol === 'http:';
}
