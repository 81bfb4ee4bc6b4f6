import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { errorMessage } from '@/lib/api-error';

/** Last-resort boundary for a route that crashed while rendering. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : errorMessage(error);
  return (
    <div className="route-error" role="alert">
      <h1>Something went wrong</h1>
      <p>{message}</p>
      <p>
        <Link to="/" reloadDocument>
          Reload the dashboard
        </Link>
      </p>
    </div>
  );
}
