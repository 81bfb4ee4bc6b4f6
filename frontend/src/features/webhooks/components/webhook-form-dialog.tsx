import { useState, type SubmitEvent } from 'react';
import type { Schema } from '@/api/types';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CheckboxField } from '@/components/ui/checkbox-field';
import { Dialog } from '@/components/ui/dialog';
import { SecretOnceDialog } from '@/components/ui/secret-once-dialog';
import { TextField } from '@/components/ui/text-field';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useCreateWebhook } from '../api/create-webhook';
import { useUpdateWebhook } from '../api/update-webhook';
import { WEBHOOK_EVENTS } from './event-types';

type Webhook = Schema<'rest.WebhookAnswer'>;
type NewWebhook = Schema<'rest.NewWebhookAnswer'>;
type Field = 'url' | 'description' | 'events';

/** Creates a subscription (then `onCreated` shows its secret) or edits `webhook`. */
export function WebhookFormDialog({
  webhook,
  onClose,
  onCreated,
}: {
  webhook?: Webhook | undefined;
  onClose: () => void;
  onCreated?: (w: NewWebhook) => void;
}) {
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const mutation = webhook ? update : create;
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [description, setDescription] = useState(webhook?.description ?? '');
  const [events, setEvents] = useState<string[]>(webhook?.events ?? []);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});

  const apiError = mutation.error;
  const serverField = apiError instanceof ApiError ? apiError.field : undefined;
  const fieldError = (f: Field) =>
    errors[f] ?? (serverField === f ? errorMessage(apiError) : undefined);

  function submit(e: SubmitEvent<HTMLFormElement>) {
    e.preventDefault();
    const found: Partial<Record<Field, string>> = {};
    if (!url.trim()) found.url = 'Enter the receiver URL, e.g. https://hooks.example.com/applinks.';
    if (events.length === 0) found.events = 'Choose at least one event type.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const body = { url: url.trim(), description: description.trim(), events };
    if (webhook) {
      update.mutate({ id: webhook.id, body }, { onSuccess: onClose });
    } else {
      create.mutate(body, { onSuccess: (w) => onCreated?.(w) });
    }
  }

  function toggle(key: string, on: boolean) {
    setEvents((ev) => (on ? [...ev, key] : ev.filter((k) => k !== key)));
    setErrors((er) => ({ ...er, events: undefined }));
  }

  return (
    <Dialog title={webhook ? 'Edit webhook' : 'Create webhook'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {mutation.isError && !serverField ? (
          <Alert tone="error">{errorMessage(mutation.error)}</Alert>
        ) : null}
        <TextField
          label="URL"
          name="url"
          required
          data-autofocus
          hint="https only; plain http is accepted only to 127.0.0.1 or [::1] (tests, the demo)."
          value={url}
          error={fieldError('url')}
          onChange={(e) => {
            setUrl(e.target.value);
            setErrors((er) => ({ ...er, url: undefined }));
          }}
        />
        <TextField
          label="Description"
          name="description"
          hint="Optional: what receives it, e.g. Helpdesk."
          value={description}
          error={fieldError('description')}
          onChange={(e) => {
            setDescription(e.target.value);
          }}
        />
        <fieldset className="fieldset">
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <CheckboxField
              key={ev.key}
              label={ev.key}
              hint={ev.hint}
              checked={events.includes(ev.key)}
              onChange={(on) => {
                toggle(ev.key, on);
              }}
            />
          ))}
          {fieldError('events') ? (
            <p className="field__error" role="alert">
              {fieldError('events')}
            </p>
          ) : null}
        </fieldset>
        <div className="form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={mutation.isPending}>
            {webhook ? 'Save' : 'Create'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Shows a new subscription's signing secret, the only time it is shown. */
export function WebhookSecretDialog({
  webhook,
  onClose,
}: {
  webhook: NewWebhook;
  onClose: () => void;
}) {
  return (
    <SecretOnceDialog
      title="Copy the signing secret now"
      notice="This is the only time the secret is shown. The receiver verifies each delivery's webhook-signature with it (see docs/webhooks.md)."
      rows={[{ term: 'URL', value: webhook.url, mono: true }]}
      secret={webhook.secret}
      secretTestId="webhook-secret"
      copyText={webhook.secret}
      copyLabel="Copy secret"
      onClose={onClose}
    />
  );
}
