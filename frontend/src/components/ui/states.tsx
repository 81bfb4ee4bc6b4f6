import type { ComponentType, ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { errorMessage } from '@/lib/api-error';
import { Button } from './button';
import { Pagination } from './pagination';
import { Spinner } from './spinner';

/** What a list shows when there is nothing in it yet. */
export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <p className="empty-state__title">{title}</p>
      {children ? <div className="empty-state__body">{children}</div> : null}
      {action ? <div className="empty-state__action">{action}</div> : null}
    </div>
  );
}

/** What a view shows when its data failed to load, with a retry. */
export function ErrorState({
  error,
  title = 'Could not load this',
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <div className="error-state" role="alert">
      <p className="error-state__title">{title}</p>
      <p>{errorMessage(error)}</p>
      {onRetry ? (
        <Button size="sm" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

interface StateProps {
  /** The spinner's label, e.g. Loading roles…. */
  loading: string;
  /** The error's heading, e.g. Could not load the roles. */
  errorTitle: string;
  /** Renders the error in place of ErrorState, e.g. to tell a 403 apart. */
  errorView?: ComponentType<{ error: unknown; title: string; onRetry: () => void }>;
  /** What an empty list shows, usually an EmptyState. */
  empty: ReactNode;
}

/** A spinner while the query is pending, its error with a retry, else render(data). */
function loaded<D>(
  query: UseQueryResult<D>,
  { loading, errorTitle, errorView: ErrorView = ErrorState }: StateProps,
  render: (data: D) => ReactNode,
): ReactNode {
  if (query.isPending) return <Spinner label={loading} />;
  if (query.isError) {
    return (
      <ErrorView error={query.error} title={errorTitle} onRetry={() => void query.refetch()} />
    );
  }
  return render(query.data);
}

/**
 * A list query in whichever state it is: a spinner while pending, an error with a retry,
 * `empty` when the list has no items, else `children` with the items.
 */
export function ListState<T>({
  query,
  children,
  ...states
}: StateProps & {
  query: UseQueryResult<T[]>;
  children: (items: T[]) => ReactNode;
}) {
  return loaded(query, states, (items) => (items.length === 0 ? states.empty : children(items)));
}

/**
 * ListState for one page of a paged list ({ items, total }): the same states, and the
 * Pagination under the page's items.
 */
export function PagedListState<T>({
  query,
  page,
  perPage,
  pagesLabel,
  onPage,
  children,
  ...states
}: StateProps & {
  query: UseQueryResult<{ items: T[]; total: number }>;
  page: number;
  perPage: number;
  /** Names the pagination for screen readers, e.g. Servers pages. */
  pagesLabel: string;
  onPage: (page: number) => void;
  children: (items: T[]) => ReactNode;
}) {
  return loaded(query, states, ({ items, total }) =>
    items.length === 0 ? (
      states.empty
    ) : (
      <>
        {children(items)}
        <Pagination
          page={page}
          perPage={perPage}
          total={total}
          label={pagesLabel}
          onPage={onPage}
        />
      </>
    ),
  );
}

/**
 * What a page shows to a staff member without the permission it needs: before any request
 * (the session lists the admin's permissions), or when the API answered 403.
 */
export function PermissionDenied({
  permission,
  label,
  detail,
}: {
  /** The permission key, e.g. manage_admins. */
  permission: string;
  /** Its human name, e.g. Manage Staff. */
  label: string;
  /** The API's own message, when there was one. */
  detail?: string | undefined;
}) {
  return (
    <div className="error-state" role="alert">
      <p className="error-state__title">
        You need the {label} permission ({permission}) to open this page.
      </p>
      {detail ? <p>{detail}</p> : null}
      <p>Ask an administrator who manages staff to give your role this permission.</p>
    </div>
  );
}
