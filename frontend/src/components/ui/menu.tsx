import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type RefObject,
} from 'react';
import { Button } from './button';
import '@/styles/menu.css';

/** One choice of a Menu. */
export interface MenuItem {
  /** Unique among the menu's items. */
  key: string;
  /** The visible text, e.g. Suspend. */
  label: string;
  /** The accessible name when the text alone is ambiguous in a list, e.g. "Suspend acme". */
  ariaLabel?: string;
  /** Why it cannot be chosen now: shown under the label; the item stays focusable. */
  disabledReason?: string | undefined;
  /** Running: the item shows a spinner and cannot be chosen meanwhile. */
  busy?: boolean;
  /** Danger items (e.g. Terminate) are red and set apart from the ones before them. */
  tone?: 'danger' | undefined;
  onSelect: () => void;
}

type Focus = 'first' | 'last';

/**
 * A menu button (the WAI-ARIA menu button pattern): a button with aria-haspopup that opens a
 * menu of menuitems below it (above it when there is no room). Enter, Space or ArrowDown open
 * it on the first item, ArrowUp on the last; the arrows, Home and End move, Escape closes it
 * and returns focus to the button, Tab and a click outside close it. Choosing an item closes
 * the menu and puts focus back on the button before `onSelect` runs, so a dialog it opens
 * returns focus there. The menu is fixed-positioned, so a scrolling table does not clip it.
 */
export function Menu({
  label,
  ariaLabel,
  items,
}: {
  /** The button's visible text, e.g. More. */
  label: string;
  /** The button's accessible name, e.g. "More actions for acme". */
  ariaLabel: string;
  items: MenuItem[];
}) {
  const id = useId();
  const { open, setOpen, close, buttonRef, menuRef } = useMenuState();
  const onButtonKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    setOpen(e.key === 'ArrowDown' ? 'first' : 'last');
  };
  return (
    <span className="menu">
      <Button
        ref={buttonRef}
        size="sm"
        id={`${id}-button`}
        aria-label={ariaLabel}
        aria-haspopup="menu"
        aria-expanded={open !== null}
        aria-controls={open !== null ? `${id}-menu` : undefined}
        onClick={() => {
          if (open === null) setOpen('first');
          else close(false);
        }}
        onKeyDown={onButtonKey}
      >
        {label}
        <span className="menu__caret" aria-hidden="true">
          ▾
        </span>
      </Button>
      {open !== null ? (
        <MenuList
          id={`${id}-menu`}
          labelledBy={`${id}-button`}
          menuRef={menuRef}
          items={items}
          onClose={close}
        />
      ) : null}
    </span>
  );
}

/**
 * Whether the menu is open (and on which item focus lands), its button and list, placed and
 * closed by a click outside while open; close(true) puts focus back on the button.
 */
function useMenuState() {
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState<Focus | null>(null);
  const close = (refocus: boolean) => {
    setOpen(null);
    if (refocus) buttonRef.current?.focus();
  };
  useMenuPosition(open !== null, buttonRef, menuRef);
  useDismiss(open !== null, [buttonRef, menuRef], () => {
    close(false);
  });
  useEffect(() => {
    if (open === null) return;
    const all = menuItems(menuRef.current);
    (open === 'first' ? all[0] : all[all.length - 1])?.focus();
  }, [open]);
  return { open, setOpen, close, buttonRef, menuRef };
}

/** The open menu: its items, and the keys that move between them. */
function MenuList({
  id,
  labelledBy,
  menuRef,
  items,
  onClose,
}: {
  id: string;
  labelledBy: string;
  menuRef: RefObject<HTMLDivElement | null>;
  items: MenuItem[];
  onClose: (refocus: boolean) => void;
}) {
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Tab') {
      onClose(false);
      return;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose(true);
      return;
    }
    const all = menuItems(menuRef.current);
    const at = all.indexOf(document.activeElement as HTMLElement);
    const next = nextIndex(
      e.key,
      at,
      items.map((item) => item.label),
    );
    if (next === null) return;
    e.preventDefault();
    all[next]?.focus();
  };
  return (
    <div
      ref={menuRef}
      id={id}
      role="menu"
      aria-labelledby={labelledBy}
      className="menu__list"
      tabIndex={-1}
      onKeyDown={onKey}
    >
      {items.map((item, i) => (
        <MenuEntry
          key={item.key}
          item={item}
          apart={item.tone === 'danger' && i > 0 && items[i - 1]?.tone !== 'danger'}
          onChosen={() => {
            onClose(true);
            item.onSelect();
          }}
        />
      ))}
    </div>
  );
}

/** One menuitem, with the reason it is disabled when it is. */
function MenuEntry({
  item,
  apart,
  onChosen,
}: {
  item: MenuItem;
  apart: boolean;
  onChosen: () => void;
}) {
  const reasonId = useId();
  const busy = item.busy ?? false;
  const disabled = Boolean(item.disabledReason) || busy;
  const cls = ['menu__item', item.tone === 'danger' ? 'menu__item--danger' : ''].join(' ');
  return (
    <>
      {apart ? <div role="separator" className="menu__separator" /> : null}
      <button
        type="button"
        role="menuitem"
        tabIndex={-1}
        className={cls}
        aria-label={item.ariaLabel}
        aria-disabled={disabled || undefined}
        aria-busy={busy || undefined}
        aria-describedby={item.disabledReason ? reasonId : undefined}
        onClick={() => {
          if (!disabled) onChosen();
        }}
      >
        {busy ? <span className="spinner spinner--inline" aria-hidden="true" /> : null}
        <span>{item.label}</span>
        {item.disabledReason ? (
          <span id={reasonId} className="menu__reason">
            {item.disabledReason}
          </span>
        ) : null}
      </button>
    </>
  );
}

/**
 * Where a key moves the focus among the items (their labels) from `at`, wrapping, or null: the
 * arrows, Home and End, or a character to the next item whose label starts with it.
 */
function nextIndex(key: string, at: number, labels: string[]): number | null {
  const count = labels.length;
  if (count === 0) return null;
  switch (key) {
    case 'ArrowDown':
      return (at + 1) % count;
    case 'ArrowUp':
      return (at - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return typedIndex(key, at, labels);
  }
}

/** The next item after `at` (wrapping) whose label starts with the typed character, or null. */
function typedIndex(key: string, at: number, labels: string[]): number | null {
  if (key.length !== 1 || key.trim() === '') return null;
  const c = key.toLocaleLowerCase();
  for (let step = 1; step <= labels.length; step++) {
    const i = (at + step) % labels.length;
    if (labels[i]?.toLocaleLowerCase().startsWith(c)) return i;
  }
  return null;
}

function menuItems(menu: HTMLElement | null): HTMLElement[] {
  return Array.from(menu?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
}

/**
 * While open, places the menu under the button's right edge (above it when the viewport has
 * no room below), again when anything scrolls or the window resizes.
 */
function useMenuPosition(
  open: boolean,
  buttonRef: RefObject<HTMLElement | null>,
  menuRef: RefObject<HTMLElement | null>,
) {
  useLayoutEffect(() => {
    if (!open) return;
    const place = () => {
      const button = buttonRef.current;
      const menu = menuRef.current;
      if (!button || !menu) return;
      const b = button.getBoundingClientRect();
      const height = menu.offsetHeight;
      const below = b.bottom + 4;
      const roomBelow = below + height <= window.innerHeight;
      const top = roomBelow || b.top - height - 4 < 0 ? below : b.top - height - 4;
      menu.style.top = `${String(top)}px`;
      menu.style.left = `${String(Math.max(4, b.right - menu.offsetWidth))}px`;
    };
    place();
    window.addEventListener('scroll', place, true);
    window.addEventListener('resize', place);
    return () => {
      window.removeEventListener('scroll', place, true);
      window.removeEventListener('resize', place);
    };
  }, [open, buttonRef, menuRef]);
}

/** While open, a press anywhere outside `inside` calls `onOutside`. */
function useDismiss(open: boolean, inside: RefObject<HTMLElement | null>[], onOutside: () => void) {
  const latest = useRef({ inside, onOutside });
  useEffect(() => {
    latest.current = { inside, onOutside };
  });
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      const target = e.target as Node;
      if (latest.current.inside.some((r) => r.current?.contains(target))) return;
      latest.current.onOutside();
    };
    document.addEventListener('pointerdown', onDown);
    return () => {
      document.removeEventListener('pointerdown', onDown);
    };
  }, [open]);
}
