import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { AddCustomLink } from './add-custom-link';
import {
  addCustom,
  removeCustom,
  routeError,
  slugError,
  targetIssue,
  toGroups,
  toInput,
  type Grouped,
  type Link,
} from './links-model';

const catalogueLink: Link = {
  key: 'invoice_history',
  group: 'account',
  default_label: 'View Invoice History',
  label: 'View Invoice History',
  enabled: true,
  order: 14,
  route: '/portal/invoices',
  target: 'client_area',
  url_template: '',
  handoff: false,
  custom: false,
};
const customLink: Link = {
  key: 'custom_status',
  group: 'custom',
  default_label: 'Service status',
  label: 'Service status',
  enabled: true,
  order: 20,
  route: '/portal/services',
  target: 'client_area',
  url_template: '',
  handoff: false,
  custom: true,
};

describe('custom links (mirror of api/links/custom.go)', () => {
  it('lists custom links in their own group and sends their path with the list', () => {
    const groups = toGroups([customLink, catalogueLink]);
    expect(groups.custom?.map((r) => r.key)).toEqual(['custom_status']);
    expect(toInput(groups)).toEqual([
      { key: 'invoice_history', label: 'View Invoice History', enabled: true, order: 1 },
      {
        key: 'custom_status',
        label: 'Service status',
        enabled: true,
        order: 2,
        route: '/portal/services',
      },
    ]);
  });

  it('adds and removes custom links, an external one without a path', () => {
    let groups: Grouped = addCustom(toGroups([catalogueLink]), 'pay', 'Pay online');
    const pay = groups.custom?.[0];
    expect(pay).toMatchObject({ key: 'custom_pay', custom: true, route: '/portal' });
    groups = {
      ...groups,
      custom: (groups.custom ?? []).map((r) => ({
        ...r,
        target: 'external' as const,
        urlTemplate: 'https://pay.example.com/?s={service_id}',
      })),
    };
    expect(toInput(groups)[1]).toEqual({
      key: 'custom_pay',
      label: 'Pay online',
      enabled: true,
      order: 2,
      target: 'external',
      url_template: 'https://pay.example.com/?s={service_id}',
      handoff: false,
    });
    expect(toInput(removeCustom(groups, 'custom_pay'))).toHaveLength(1);
  });

  it('checks keys and paths as the server does', () => {
    const groups = toGroups([catalogueLink, customLink]);
    expect(slugError('pay_2', groups)).toBeUndefined();
    expect(slugError('status', groups)).toMatch(/exists already/);
    for (const bad of ['', 'Pay', 'a-b', 'x'.repeat(25)])
      expect(slugError(bad, groups)).toBeDefined();
    for (const ok of ['/portal', '/portal/services', '/portal/x?tab=1'])
      expect(routeError(ok)).toBeUndefined();
    for (const bad of [
      '',
      '/portalx',
      '//evil.example/portal',
      '/portal/../api',
      '/portal/a b',
      'javascript:alert(1)',
    ])
      expect(routeError(bad)).toBeDefined();
    const row = { ...toGroups([customLink]).custom![0]!, route: '/api' };
    expect(targetIssue(row, false)).toBeDefined();
    expect(
      targetIssue({ ...row, target: 'external', urlTemplate: 'javascript:alert(1)' }, false),
    ).toBeDefined();
  });
});

describe('AddCustomLink', () => {
  it('adds a valid link and refuses a bad key', () => {
    const onAdd = vi.fn();
    render(<AddCustomLink groups={toGroups([catalogueLink])} onAdd={onAdd} />);
    fireEvent.change(screen.getByLabelText('Key of the new custom link'), {
      target: { value: 'Bad Key' },
    });
    fireEvent.change(screen.getByLabelText('Label of the new custom link'), {
      target: { value: 'Status' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add custom link' }));
    expect(onAdd).not.toHaveBeenCalled();
    expect(screen.getByText(/lowercase letters, digits or underscores/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Key of the new custom link'), {
      target: { value: 'status' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add custom link' }));
    const next = onAdd.mock.calls[0]?.[0] as Grouped;
    expect(next.custom?.map((r) => r.key)).toEqual(['custom_status']);
  });

  it('offers no more than ten', () => {
    let groups = toGroups([catalogueLink]);
    for (let i = 0; i < 10; i++) groups = addCustom(groups, `l${String(i)}`, `Link ${String(i)}`);
    render(<AddCustomLink groups={groups} onAdd={vi.fn()} />);
    expect(screen.queryByRole('button', { name: 'Add custom link' })).toBeNull();
    expect(screen.getByText(/the most it may carry/)).toBeTruthy();
  });
});
