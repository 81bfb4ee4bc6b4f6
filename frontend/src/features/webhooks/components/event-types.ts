/** The event types a subscription can name (links.WebhookEventTypes), with what they report. */
export const WEBHOOK_EVENTS: { key: string; hint: string }[] = [
  { key: 'sso.redeemed', hint: 'A customer was signed in with a single sign-on token.' },
  { key: 'sso.refused', hint: 'A sign-in was refused, with the reason.' },
  { key: 'operation.finished', hint: 'An Application Links operation ended.' },
  { key: 'account.failed', hint: "An account's links could not be pushed." },
  { key: 'drift.found', hint: "An account's links differ from the configured ones." },
  { key: 'server.unsupported', hint: 'A server cannot take Application Links.' },
];
