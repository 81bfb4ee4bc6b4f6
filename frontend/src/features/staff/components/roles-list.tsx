import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmMutation } from '@/components/ui/confirm-dialog';
import { DataTable } from '@/components/ui/data-table';
import { Pagination } from '@/components/ui/pagination';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState } from '@/components/ui/states';
import { useFilterParams } from '@/hooks/use-filter-params';
import { useDeleteRole } from '../api/delete-role';
import { useRoles } from '../api/get-roles';
import { permissionLabel, sortPermissions } from './labels';
import { LoadError } from './load-error';
import { RoleFormDialog } from './role-form-dialog';

type Role = Schema<'rest.RoleAnswer'>;

const PER_PAGE = 25;

/**
 * The staff roles with their permissions and holders, a page at a time (kept in the URL):
 * create one with a permission checklist, edit its name and permissions, delete one nobody
 * holds. The built-in role always holds every permission and cannot change.
 */
export function RolesList({
  selfRoleId,
}: {
  /** The signed-in admin's role, when known: its Manage Staff must stay. */
  selfRoleId?: number | undefined;
}) {
  const { update, page } = useFilterParams();
  const list = useRoles({ page, per_page: PER_PAGE });
  const remove = useDeleteRole();
  const items = list.data?.items ?? [];
  // null: no dialog; 'new': create; a role: edit that one.
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);

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
      {list.isPending ? (
        <Spinner label="Loading roles…" />
      ) : list.isError ? (
        <LoadError
          error={list.error}
          title="Could not load the roles"
          onRetry={() => void list.refetch()}
        />
      ) : items.length === 0 ? (
        <EmptyState title="No roles yet" />
      ) : (
        <>
          <DataTable
            caption="Roles"
            busy={list.isFetching}
            columns={[
              'Name',
              'Permissions',
              { label: 'Administrators', className: 'num' },
              { label: 'Actions', visuallyHidden: true },
            ]}
          >
            {items.map((r) => {
              const held = r.admins;
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
                  <td className="num">{String(held)}</td>
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
                          disabled={held > 0}
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
          <Pagination
            page={page}
            perPage={PER_PAGE}
            total={list.data.total}
            label="Roles pages"
            onPage={(p) => {
              update('page', String(p));
            }}
          />
          <p className="muted">
            A change to a role applies at once to every administrator with it. A role can be deleted
            once nobody holds it.
          </p>
        </>
      )}
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
        <ConfirmMutation
          title={`Delete role ${deleting.name}?`}
          confirmLabel="Delete role"
          mutation={remove}
          variables={deleting.id}
          onClose={() => {
            setDeleting(null);
          }}
        >
          <p>
            The role &ldquo;{deleting.name}&rdquo; and its permissions are removed. This cannot be
            undone.
          </p>
        </ConfirmMutation>
      ) : null}
    </>
  );
}
