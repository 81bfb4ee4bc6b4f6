import { describe, expect, it } from 'vitest';
import { auditChanges, auditValueText, describeAudit, truncate } from './audit-format';

describe('audit format', () => {
  it('says what a record did', () => {
    expect(describeAudit({ action: 'update', resource: 'server', resource_id: '3' })).toBe(
      'updated server 3',
    );
    expect(
      describeAudit({ action: 'enable', resource: 'application', resource_id: 'cpanel' }),
    ).toBe('enabled application cpanel');
    expect(describeAudit({ action: 'create', resource: 'membership', resource_id: '1:11' })).toBe(
      'created membership of user 11 on client 1',
    );
    expect(describeAudit({ action: 'revoke', resource: 'api_credential', resource_id: '4' })).toBe(
      'revoked API credential 4',
    );
  });

  it('shows values readably', () => {
    expect(auditValueText(null)).toBe('none');
    expect(auditValueText('')).toBe('empty');
    expect(auditValueText([])).toBe('empty');
    expect(auditValueText(false)).toBe('false');
    expect(auditValueText(['sso', 'invoices'])).toBe('sso, invoices');
    expect(auditValueText([{ a: 1 }])).toBe('[{"a":1}]');
    expect(auditValueText({ a: 'b' })).toBe('{"a":"b"}');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcd', 4)).toBe('abcd');
  });

  it('pairs the fields of both sides', () => {
    expect(auditChanges({ port: 2087 }, { port: 2083, api_token: 'changed' })).toEqual([
      { field: 'api_token', after: 'changed' },
      { field: 'port', before: '2087', after: '2083' },
    ]);
    expect(auditChanges({ name: 'old' }, null)).toEqual([{ field: 'name', before: 'old' }]);
    expect(auditChanges(null, null)).toEqual([]);
  });
});
