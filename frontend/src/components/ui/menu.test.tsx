import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Menu, type MenuItem } from './menu';

function setup(extra: Partial<Record<string, Partial<MenuItem>>> = {}) {
  const chosen = vi.fn<(key: string) => void>();
  const item = (key: string, more: Partial<MenuItem> = {}): MenuItem => ({
    key,
    label: key,
    ariaLabel: `${key} acme`,
    onSelect: () => {
      chosen(key);
    },
    ...more,
    ...extra[key],
  });
  const items = [
    item('Sync now'),
    item('Suspend', { tone: 'danger' }),
    item('Terminate', { tone: 'danger' }),
  ];
  const user = userEvent.setup();
  render(
    <>
      <Menu label="More" ariaLabel="More actions for acme" items={items} />
      <button type="button">Elsewhere</button>
    </>,
  );
  const button = screen.getByRole('button', { name: 'More actions for acme' });
  return { user, button, chosen };
}

const item = (name: string) => screen.getByRole('menuitem', { name });

describe('Menu', () => {
  it('is a menu button that opens on a click with focus on the first item', async () => {
    const { user, button } = setup();
    expect(button).toHaveAttribute('aria-haspopup', 'menu');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(button).toHaveTextContent('More');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();

    await user.click(button);
    const menu = screen.getByRole('menu', { name: 'More actions for acme' });
    expect(button).toHaveAttribute('aria-expanded', 'true');
    expect(button).toHaveAttribute('aria-controls', menu.id);
    expect(screen.getAllByRole('menuitem').map((m) => m.getAttribute('aria-label'))).toEqual([
      'Sync now acme',
      'Suspend acme',
      'Terminate acme',
    ]);
    expect(item('Sync now acme')).toHaveFocus();
    // the danger items are set apart, once
    expect(screen.getAllByRole('separator')).toHaveLength(1);

    await user.click(button);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(button).toHaveAttribute('aria-expanded', 'false');
  });

  it('opens from the keyboard and moves with the arrows, Home and End', async () => {
    const { user, button } = setup();
    button.focus();
    await user.keyboard('{Enter}');
    expect(item('Sync now acme')).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(item('Suspend acme')).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(item('Sync now acme')).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(item('Terminate acme')).toHaveFocus();
    await user.keyboard('{Home}');
    expect(item('Sync now acme')).toHaveFocus();
    await user.keyboard('{End}');
    expect(item('Terminate acme')).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(button).toHaveFocus();

    await user.keyboard(' ');
    expect(item('Sync now acme')).toHaveFocus();
    await user.keyboard('{Escape}');
    await user.keyboard('{ArrowDown}');
    expect(item('Sync now acme')).toHaveFocus();
    await user.keyboard('{Escape}');
    await user.keyboard('{ArrowUp}');
    expect(item('Terminate acme')).toHaveFocus();
  });

  it('moves to the next item starting with a typed character', async () => {
    const { user, button } = setup();
    await user.click(button);
    expect(item('Sync now acme')).toHaveFocus();
    await user.keyboard('s');
    expect(item('Suspend acme')).toHaveFocus();
    await user.keyboard('S');
    expect(item('Sync now acme')).toHaveFocus();
    await user.keyboard('t');
    expect(item('Terminate acme')).toHaveFocus();
    await user.keyboard('x');
    expect(item('Terminate acme')).toHaveFocus();
    expect(screen.getByRole('menu')).toBeInTheDocument();
  });

  it('runs the chosen item once, closed and with focus back on the button', async () => {
    const { user, button, chosen } = setup();
    await user.click(button);
    await user.keyboard('{ArrowDown}{Enter}');
    expect(chosen.mock.calls).toEqual([['Suspend']]);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(button).toHaveFocus();

    await user.click(button);
    await user.click(item('Terminate acme'));
    expect(chosen.mock.calls).toEqual([['Suspend'], ['Terminate']]);
    expect(button).toHaveFocus();
  });

  it('keeps a disabled item focusable with its reason, and does not run it or a busy one', async () => {
    const { user, button, chosen } = setup({
      'Sync now': { busy: true },
      Suspend: { disabledReason: 'The account is locked.' },
    });
    await user.click(button);
    const suspend = item('Suspend acme');
    expect(suspend).toHaveAttribute('aria-disabled', 'true');
    expect(suspend).toHaveAccessibleDescription('The account is locked.');
    expect(suspend).toHaveTextContent('The account is locked.');
    await user.keyboard('{ArrowDown}');
    expect(suspend).toHaveFocus();
    await user.keyboard('{Enter}');
    await user.click(suspend);
    const sync = item('Sync now acme');
    expect(sync).toHaveAttribute('aria-disabled', 'true');
    expect(sync).toHaveAttribute('aria-busy', 'true');
    await user.click(sync);
    expect(chosen).not.toHaveBeenCalled();
    expect(screen.getByRole('menu')).toBeInTheDocument();
  });

  it('closes on a click outside and on Tab', async () => {
    const { user, button } = setup();
    await user.click(button);
    await user.click(screen.getByRole('button', { name: 'Elsewhere' }));
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Elsewhere' })).toHaveFocus();

    await user.click(button);
    await user.tab();
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(button).toHaveAttribute('aria-expanded', 'false');
  });
});
