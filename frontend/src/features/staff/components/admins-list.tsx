import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
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
          <DataTable
            caption="Administrators"
            columns={[
              'Name',
              'Email',
              'Role',
              'Active',
              { label: 'Actions', visuallyHidden: true },
            ]}
          >
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
          </DataTable>
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
