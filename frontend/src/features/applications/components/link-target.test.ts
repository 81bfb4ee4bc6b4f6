import { describe, expect, it } from 'vitest';
import { escapeValue, renderTemplate, sampleValues, templateError } from './link-target';

describe('link targets (mirror of api/links/target.go)', () => {
  const v = {
    ...sampleValues('invoice_history'),
    client_id: '7',
    service_id: '42',
    username: 'a b&c=d/e?f#g+h',
    domain: 'exämple.test',
  };

  it('renders like the server, every value percent-encoded', () => {
    // The same cases as TestRenderURLTemplateEscapesEveryValue.
    expect(renderTemplate('https://pay.example.com/invoices?service={service_id}', v)).toBe(
      'https://pay.example.com/invoices?service=42',
    );
    expect(
      renderTemplate(
        'https://pay.example.com/u/{username}?c={client_id}&ext={client_external_id}',
        v,
      ),
    ).toBe('https://pay.example.com/u/a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh?c=7&ext=');
    expect(renderTemplate('https://pay.example.com/{destination}#{domain}', v)).toBe(
      'https://pay.example.com/invoice_history#ex%C3%A4mple.test',
    );
    expect(escapeValue("!'()*~-._")).toBe('%21%27%28%29%2A~-._');
  });

  it('refuses what the server refuses', () => {
    // The same cases as TestValidateURLTemplateRefuses.
    for (const t of [
      '',
      'javascript:alert(1)',
      'JAVASCRIPT://x%0aalert(1)',
      'data:text/html,x',
      'ftp://h/',
      'http://h/',
      '//h/path',
      'https://h/{nope}',
      'https://h/{service_id',
      'https://h/}',
      'https://h/{{service_id}}',
      'https://{domain}/',
      'https://h{service_id}/',
      'https://u:p@h/',
      'https:///x',
      'https://h/\\x',
      'https://h/\n',
    ]) {
      expect(templateError(t, false), t).toBeDefined();
    }
    expect(templateError('https://pay.example.com/i?s={service_id}', false)).toBeUndefined();
    expect(templateError('http://127.0.0.1:8080/rp', true)).toBeUndefined();
    expect(templateError('https://h/{password}', false)).toMatch(
      /Unknown placeholder \{password\}/,
    );
  });
});
