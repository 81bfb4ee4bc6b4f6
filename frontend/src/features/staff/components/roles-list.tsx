import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, ListState } from '@/components/ui/states';
import { useStaffSession } from '@/lib/auth';
import { useDeleteRole } from '../api/delete-role';
import { useAdmins } from '../api/get-admins';
import { useRoles } from '../api/get-roles';
import { permissionLabel, sortPermissions } from './labels';
import { LoadError } from './load-error';
import { RoleFormDialog } from './role-form-dialog';

type Role = Schema<'links.Role'>;

/**
 * The staff roles with their permissions: create one with a permission checklist, edit its
 * name and permissions, delete one nobody holds. The built-in role always holds every
 * permission and cannot change.
 */
export function RolesList() {
  const list = useRoles();
  const admins = useAdmins();
  const selfId = useStaffSession()?.admin?.id;
  const remove = useDeleteRole();
  // null: no dialog; 'new': create; a role: edit that one.
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);

  /** How many administrators hold the role; undefined while unknown. */
  const holders = (roleId: number) =>
    admins.isSuccess ? admins.data.filter((a) => a.role_id === roleId).length : undefined;
  const selfRoleId = admins.data?.find((a) => a.id === selfId)?.role_id;

  return (
    <>
      <div className="toolbar">
        <Button
          variant="primary"
          onClick={() => {
            setEditing('new');
          }}
        >
          Create role
        </Button>
      </div>
      <ListState
        query={list}
        loading="Loading roles…"
        errorTitle="Could not load the roles"
        errorView={LoadError}
        empty={<EmptyState title="No roles yet" />}
      >
        {(roles) => (
          <>
            <DataTable
              caption="Roles"
              columns={[
                'Name',
                'Permissions',
                { label: 'Administrators', className: 'num' },
                { label: 'Actions', visuallyHidden: true },
              ]}
            >
              {roles.map((r) => {
                const held = holders(r.id);
                const noteId = `role-${String(r.id)}-note`;
                return (
                  <tr key={r.id}>
                    <td>
                      {r.name} {r.builtin ? <Badge tone="info">Built-in</Badge> : null}
                    </td>
                    <td>
                      {r.permissions.length === 0 ? (
                        <span className="muted">None</span>
                      ) : (
                        <ul className="plain-list">
                          {sortPermissions(r.permissions).map((p) => (
                            <li key={p}>{permissionLabel(p)}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td className="num">{held === undefined ? '—' : String(held)}</td>
                    <td className="num">
                      {r.builtin ? (
                        <span className="muted">Always holds every permission.</span>
                      ) : (
                        <div className="actions actions--end">
                          <Button
                            size="sm"
                            aria-label={`Edit ${r.name}`}
                            onClick={() => {
                              setEditing(r);
                            }}
                          >
                            Edit
                          </Button>
                          <Button
                            size="sm"
                            variant="danger"
                            aria-label={`Delete ${r.name}`}
                            disabled={held !== undefined && held > 0}
                            aria-describedby={held ? noteId : undefined}
                            onClick={() => {
                              remove.reset();
                              setDeleting(r);
                            }}
                          >
                            Delete
                          </Button>
                          {held ? (
                            <span id={noteId} className="muted">
                              In use: give its administrators another role first.
                            </span>
                          ) : null}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </DataTable>
            <p className="muted">
              A change to a role applies at once to every administrator with it. A role can be
              deleted once nobody holds it.
            </p>
          </>
        )}
      </ListState>
      {editing !== null ? (
        <RoleFormDialog
          role={editing === 'new' ? undefined : editing}
          self={editing !== 'new' && editing.id === selfRoleId}
          onClose={() => {
            setEditing(null);
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete role ${deleting.name}?`}
          confirmLabel="Delete role"
          busy={remove.isPending}
          error={remove.error}
          onCancel={() => {
            setDeleting(null);
          }}
          onConfirm={() => {
            remove.mutate(deleting.id, {
              onSuccess: () => {
                setDeleting(null);
              },
            });
          }}
        >
          <p>
            The role &ldquo;{deleting.name}&rdquo; and its permissions are removed. This cannot be
            undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
