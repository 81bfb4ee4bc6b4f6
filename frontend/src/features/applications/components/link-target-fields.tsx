import { CheckboxField } from '@/components/ui/checkbox-field';
import { SelectField } from '@/components/ui/select-field';
import { TextField } from '@/components/ui/text-field';
import { renderTemplate, sampleValues, type TargetKind } from './link-target';
import type { LinkRow } from './links-model';

const KINDS: { value: TargetKind; label: string }[] = [
  { value: 'client_area', label: 'Client area' },
  { value: 'external', label: 'External URL' },
];

/**
 * A link's destination: the client area (its route; a custom link's own path) or an external URL template with an
 * optional signed hand-off, previewed for one sample account (rendered here with the server's
 * rules; the server checks again on save).
 */
export function LinkTargetFields({
  row,
  error,
  onChange,
}: {
  row: LinkRow;
  error: string | undefined;
  onChange: (change: Partial<LinkRow>) => void;
}) {
  const preview =
    row.target === 'external' && !error
      ? renderTemplate(row.urlTemplate.trim(), sampleValues(row.key))
      : undefined;
  return (
    <div className="link-row__target">
      <SelectField
        label={`Destination of ${row.defaultLabel}`}
        options={KINDS}
        value={row.target}
        onChange={(e) => {
          onChange({ target: e.target.value === 'external' ? 'external' : 'client_area' });
        }}
      />
      {row.target === 'client_area' && row.custom ? (
        <TextField
          label={`Client-area path for ${row.defaultLabel}`}
          className="mono"
          value={row.route ?? ''}
          placeholder="/portal/services"
          hint="A page of the client area, under /portal."
          error={error}
          onChange={(e) => {
            onChange({ route: e.target.value });
          }}
        />
      ) : null}
      {row.target === 'external' ? (
        <>
          <TextField
            label={`URL template for ${row.defaultLabel}`}
            className="mono"
            value={row.urlTemplate}
            placeholder="https://billing.example.com/invoices?service={service_id}"
            hint="Placeholders: {client_id}, {client_external_id}, {service_id}, {service_external_id}, {username}, {domain}, {destination}. External ids are the billing system's (empty for a client or service without one)."
            error={error}
            onChange={(e) => {
              onChange({ urlTemplate: e.target.value });
            }}
          />
          <CheckboxField
            label={`Signed hand-off for ${row.defaultLabel}`}
            hint="Adds applinks_assertion, a JWT the target verifies against /.well-known/jwks.json."
            checked={row.handoff}
            onChange={(on) => {
              onChange({ handoff: on });
            }}
          />
          {preview ? (
            <p className="field__hint" aria-live="polite">
              Preview for a sample account (client 7, service 42, acme, acme.example):{' '}
              <span className="mono" data-testid={`preview-${row.key}`}>
                {preview}
                {row.handoff ? '&applinks_assertion=…' : ''}
              </span>
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
