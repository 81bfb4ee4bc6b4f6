import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Spinner } from '@/components/ui/spinner';
import { EmptyState } from '@/components/ui/states';
import { useAdmins } from '../api/get-admins';
import { useRoles } from '../api/get-roles';
import { permissionLabel, sortPermissions } from './labels';
import { LoadError } from './load-error';
import { RoleFormDialog } from './role-form-dialog';

/** The staff roles with their permissions; create one with a permission checklist. */
export function RolesList() {
  const list = useRoles();
  const admins = useAdmins();
  const [creating, setCreating] = useState(false);

  const members = (roleId: number) =>
    admins.isSuccess ? String(admins.data.filter((a) => a.role_id === roleId).length) : '—';

  return (
    <>
      <div className="toolbar">
        <Button
          variant="primary"
          onClick={() => {
            setCreating(true);
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
      ) : list.data.length === 0 ? (
        <EmptyState title="No roles yet" />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Roles</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Permissions</th>
                  <th scope="col" className="num">
                    Administrators
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((r) => (
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
                    <td className="num">{members(r.id)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted">
            A role&apos;s permissions are fixed once it is created. To change what someone may do,
            create a role with the right permissions and assign it to them on the Administrators
            tab.
          </p>
        </>
      )}
      {creating ? (
        <RoleFormDialog
          onClose={() => {
            setCreating(false);
          }}
        />
      ) : null}
    </>
  );
}
