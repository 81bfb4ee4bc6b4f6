import { createBrowserRouter, type RouteObject } from 'react-router';
import { DashboardLayout } from '@/components/layouts/dashboard-layout';
import { LoginRoute } from './routes/auth/login';
import { RequireStaff, StaffHome } from './routes/app/require-staff';
import {
  ApplicationLinksRoute,
  ApplicationLogRoute,
  ConfigureApplicationRoute,
  OperationRoute,
  OperationsRoute,
} from './routes/app/application-links';
import { ClientRoute, ClientsRoute, NewClientRoute } from './routes/app/clients';
import { ApiCredentialsRoute, SSOActivityRoute } from './routes/app/trust';
import { NewServerRoute, ServerRoute, ServersRoute } from './routes/app/servers';
import { NotFoundRoute } from './routes/not-found';
import { RouteErrorBoundary } from './routes/route-error';
import { portalRoutes } from './routes/portal/routes';

/** Every route of the SPA in one table. */
export const routes: RouteObject[] = [
  { path: '/login', element: <LoginRoute />, errorElement: <RouteErrorBoundary /> },
  portalRoutes,
  {
    path: '/',
    element: (
      <RequireStaff>
        <DashboardLayout />
      </RequireStaff>
    ),
    errorElement: <RouteErrorBoundary />,
    children: [
      { index: true, element: <StaffHome /> },
      { path: 'settings/application-links', element: <ApplicationLinksRoute /> },
      {
        path: 'settings/application-links/:module/configure',
        element: <ConfigureApplicationRoute />,
      },
      { path: 'settings/application-links/:module/log', element: <ApplicationLogRoute /> },
      { path: 'servers', element: <ServersRoute /> },
      { path: 'servers/new', element: <NewServerRoute /> },
      { path: 'servers/:id', element: <ServerRoute /> },
      { path: 'clients', element: <ClientsRoute /> },
      { path: 'clients/new', element: <NewClientRoute /> },
      { path: 'clients/:id', element: <ClientRoute tab="profile" /> },
      { path: 'clients/:id/users', element: <ClientRoute tab="users" /> },
      { path: 'clients/:id/services', element: <ClientRoute tab="services" /> },
      { path: 'clients/:id/sso-activity', element: <ClientRoute tab="sso" /> },
      { path: 'api-credentials', element: <ApiCredentialsRoute /> },
      { path: 'sso-activity', element: <SSOActivityRoute /> },
      { path: 'operations', element: <OperationsRoute /> },
      { path: 'operations/:id', element: <OperationRoute /> },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}

/** The data router type (browser router in the app, memory router in tests). */
export type AppRouter = ReturnType<typeof createAppRouter>;
