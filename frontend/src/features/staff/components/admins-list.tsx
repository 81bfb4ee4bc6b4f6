import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { EmptyState, ListState } from '@/components/ui/states';
import { useStaffSession } from '@/lib/auth';
import { useAdmins } from '../api/get-admins';
import { useRoles } from '../api/get-roles';
import { AdminFormDialog } from './admin-form-dialog';
import { LoadError } from './load-error';

type Admin = Schema<'links.Admin'>;

/** The staff accounts: add one, edit name, role, active and password. */
export function AdminsList() {
  const list = useAdmins();
  const roles = useRoles();
  const selfId = useStaffSession()?.admin?.id;
  // null: no dialog; 'new': add; an admin: edit that one.
  const [editing, setEditing] = useState<Admin | 'new' | null>(null);

  return (
    <>
      <div className="toolbar">
        <Button
          variant="primary"
          disabled={!roles.isSuccess}
          onClick={() => {
            setEditing('new');
          }}
        >
          Add administrator
        </Button>
      </div>
      <ListState
        query={list}
        loading="Loading administrators…"
        errorTitle="Could not load the administrators"
        errorView={LoadError}
        empty={<EmptyState title="No administrators yet" />}
      >
        {(admins) => (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Administrators</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Active</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {admins.map((a) => (
                  <tr key={a.id}>
                    <td>
                      {a.name}
                      {a.id === selfId ? <span className="muted"> (you)</span> : null}
                    </td>
                    <td>{a.email}</td>
                    <td>{a.role}</td>
                    <td>
                      {a.active ? (
                        <Badge tone="success">Active</Badge>
                      ) : (
                        <Badge tone="neutral">Inactive</Badge>
                      )}
                    </td>
                    <td className="num">
                      <Button
                        size="sm"
                        disabled={!roles.isSuccess}
                        aria-label={`Edit ${a.name || a.email}`}
                        onClick={() => {
                          setEditing(a);
                        }}
                      >
                        Edit
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListState>
      {roles.isError && !list.isError ? (
        <LoadError
          error={roles.error}
          title="Could not load the roles"
          onRetry={() => void roles.refetch()}
        />
      ) : null}
      {editing !== null && roles.isSuccess ? (
        <AdminFormDialog
          admin={editing === 'new' ? undefined : editing}
          roles={roles.data}
          selfId={selfId}
          onClose={() => {
            setEditing(null);
          }}
        />
      ) : null}
    </>
  );
}
