import type { ReactNode } from 'react';
import { errorMessage } from '@/lib/api-error';
import { Button } from './button';

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
