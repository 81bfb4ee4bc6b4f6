import { useEffect, useRef, useState, type RefObject } from 'react';
import type { Schema } from '@/api/types';
import { Button } from '@/components/ui/button';
import { Menu, type MenuItem } from '@/components/ui/menu';
import { SyncNowStatus, type SyncMutation } from '@/components/ui/sync-now-button';
import { useRotateLinkSecret } from '../api/rotate-link-secret';
import { useSyncService } from '../api/sync-service';
import { statusActions, type StatusAction } from './labels';
import { RotateSecretDialog, RotateSecretStatus, type RotateMutation } from './rotate-secret';

/** A row of the list: the service with its link state. */
export type ServiceRow = Schema<'rest.ServiceAnswer'>;

/** Why an account's link actions cannot run now (undefined: they can). */
export type LinksBlocked = (s: ServiceRow) => string | undefined;

/**
 * The actions of one account's row: Edit, and a "More" menu with, for admins who configure
 * application links (`linksBlocked` not null) on Active and Suspended accounts, "Sync now" and
 * "Rotate secret" (disabled with the reason while blocked), then the status changes. What a
 * sync or a rotation started shows under the buttons.
 */
export function ServiceRowActions({
  service: s,
  linksBlocked,
  onEdit,
  onStatus,
}: {
  service: ServiceRow;
  linksBlocked: LinksBlocked | null;
  onEdit: () => void;
  onStatus: (action: StatusAction) => void;
}) {
  const name = s.username || s.domain;
  const sync = useSyncService(s.id);
  const rotate = useRotateLinkSecret();
  const [rotating, setRotating] = useState(false);
  const links = linksBlocked !== null && Boolean(s.username) && hasLinks(s.status);
  const items: MenuItem[] = [
    ...(links
      ? linkItems(name, sync, linksBlocked(s), () => {
          rotate.reset();
          setRotating(true);
        })
      : []),
    ...statusItems(s, name, onStatus),
  ];
  const edit = useRef<HTMLButtonElement>(null);
  useFocusEditWhenMenuGoes(items.length > 0, edit);
  return (
    <>
      <div className="actions actions--end actions--nowrap">
        <Button ref={edit} size="sm" aria-label={`Edit ${name}`} onClick={onEdit}>
          Edit
        </Button>
        {items.length > 0 ? (
          <Menu label="More" ariaLabel={`More actions for ${name}`} items={items} />
        ) : null}
      </div>
      {links ? <RowStatus service={s} name={name} sync={sync} rotate={rotate} /> : null}
      {rotating ? (
        <RotateSecretDialog
          service={s}
          name={name}
          rotate={rotate}
          onClose={() => {
            setRotating(false);
          }}
        />
      ) : null}
    </>
  );
}

/**
 * The menu goes when the account has no action left (it was terminated from it): focus, which
 * the confirmation gave back to the menu's button, would fall to the page; it moves to the row's
 * Edit button instead.
 */
function useFocusEditWhenMenuGoes(hasMenu: boolean, edit: RefObject<HTMLButtonElement | null>) {
  const had = useRef(hasMenu);
  useEffect(() => {
    if (had.current && !hasMenu && (document.activeElement ?? document.body) === document.body) {
      edit.current?.focus();
    }
    had.current = hasMenu;
  }, [hasMenu, edit]);
}

function hasLinks(status: ServiceRow['status']): boolean {
  return status === 'Active' || status === 'Suspended';
}

/** Sync now, and Rotate secret (which asks first: `onRotate`), disabled while `blocked`. */
function linkItems(
  name: string,
  sync: SyncMutation,
  blocked: string | undefined,
  onRotate: () => void,
): MenuItem[] {
  return [
    {
      key: 'sync',
      label: 'Sync now',
      ariaLabel: `Sync ${name} now`,
      busy: sync.isPending,
      disabledReason: blocked,
      onSelect: () => {
        sync.reset();
        sync.mutate();
      },
    },
    {
      key: 'rotate',
      label: 'Rotate secret',
      ariaLabel: `Rotate the link secret of ${name}`,
      disabledReason: blocked,
      onSelect: onRotate,
    },
  ];
}

/** Suspend, Unsuspend, Terminate as the account's status allows, each naming the account. */
function statusItems(
  s: ServiceRow,
  name: string,
  onStatus: (action: StatusAction) => void,
): MenuItem[] {
  return statusActions(s.status).map((a) => ({
    key: a.verb,
    label: a.verb,
    ariaLabel: `${a.verb} ${name}`,
    tone: a.tone === 'danger' ? 'danger' : undefined,
    onSelect: () => {
      onStatus(a);
    },
  }));
}

/** The live regions of the row's sync and rotation, empty (and flat) until one starts. */
function RowStatus({
  service,
  name,
  sync,
  rotate,
}: {
  service: ServiceRow;
  name: string;
  sync: SyncMutation;
  rotate: RotateMutation;
}) {
  return (
    <div className="row-status">
      <SyncNowStatus name={name} sync={sync} />
      <RotateSecretStatus service={service} name={name} rotate={rotate} />
    </div>
  );
}
