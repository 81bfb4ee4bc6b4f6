import { useState } from 'react';
import type { Schema } from '@/api/types';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, PagedListState } from '@/components/ui/states';
import { useFilterParams } from '@/hooks/use-filter-params';
import { useStaffSession } from '@/lib/auth';
import { useAdmins } from '../api/get-admins';
import { useRoleChoices } from '../api/get-roles';
import { AdminFormDialog } from './admin-form-dialog';
import { LoadError } from './load-error';

type Admin = Schema<'rest.AdminAnswer'>;

const PER_PAGE = 25;

/**
 * The staff accounts, a page at a time (kept in the URL): add one, edit name, role, active and
 * password. The role picker offers the first ROLE_CHOICES roles.
 */
export function AdminsList() {
  const { update, page } = useFilterParams();
  const list = useAdmins({ page, per_page: PER_PAGE });
  const roles = useRoleChoices();
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
      <PagedListState
        query={list}
        loading="Loading administrators…"
        errorTitle="Could not load the administrators"
        errorView={LoadError}
        empty={<EmptyState title="No administrators yet" />}
        page={page}
        perPage={PER_PAGE}
        pagesLabel="Administrators pages"
        onPage={(p) => {
          update('page', String(p));
        }}
      >
        {(items) => (
          <DataTable
            caption="Administrators"
            busy={list.isFetching}
            columns={[
              'Name',
              'Email',
              'Role',
              'Active',
              { label: 'Actions', visuallyHidden: true },
            ]}
          >
            {items.map((a) => (
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
      </PagedListState>
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
          roles={roles.data.items}
          selfId={selfId}
          onClose={() => {
            setEditing(null);
          }}
        />
      ) : null}
    </>
  );
}
