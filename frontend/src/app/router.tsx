import { createBrowserRouter, type RouteObject } from 'react-router';
import { DashboardLayout } from '@/components/layouts/dashboard-layout';
import { lazyRoute } from '@/lib/lazy-route';
import { LoginRoute } from './routes/auth/login';
import { RequireStaff, StaffHome } from './routes/app/require-staff';
import { NotFoundRoute } from './routes/not-found';
import { RouteErrorBoundary } from '@/components/route-error';
import { portalRoutes } from '@/portal/router';

// The main chunk holds the framework, the staff sign-in, the guards and the two layouts; every
// dashboard page is its own chunk (lazyRoute), fetched after RequireStaff lets it render, inside
// the <Suspense> of DashboardLayout. The links editor's @dnd-kit is only in Configure's chunk.
const ApplicationLinksRoute = lazyRoute(
  () => import('./routes/app/application-links'),
  'ApplicationLinksRoute',
);
const ConfigureApplicationRoute = lazyRoute(
  () => import('./routes/app/configure-application'),
  'ConfigureApplicationRoute',
);
const ApplicationLogRoute = lazyRoute(
  () => import('./routes/app/application-log'),
  'ApplicationLogRoute',
);
const OperationsRoute = lazyRoute(() => import('./routes/app/operations'), 'OperationsRoute');
const OperationRoute = lazyRoute(() => import('./routes/app/operations'), 'OperationRoute');
const ServersRoute = lazyRoute(() => import('./routes/app/servers'), 'ServersRoute');
const NewServerRoute = lazyRoute(() => import('./routes/app/new-server'), 'NewServerRoute');
const ServerRoute = lazyRoute(() => import('./routes/app/server'), 'ServerRoute');
const ClientsRoute = lazyRoute(() => import('./routes/app/clients'), 'ClientsRoute');
const NewClientRoute = lazyRoute(() => import('./routes/app/new-client'), 'NewClientRoute');
const ClientRoute = lazyRoute(() => import('./routes/app/client'), 'ClientRoute');
const ServicesRoute = lazyRoute(() => import('./routes/app/services'), 'ServicesRoute');
const ApiCredentialsRoute = lazyRoute(
  () => import('./routes/app/api-credentials'),
  'ApiCredentialsRoute',
);
const SSOActivityRoute = lazyRoute(() => import('./routes/app/sso-activity'), 'SSOActivityRoute');
const WebhooksRoute = lazyRoute(() => import('./routes/app/webhooks'), 'WebhooksRoute');
const AuditLogRoute = lazyRoute(() => import('./routes/app/audit'), 'AuditLogRoute');
const StaffAdminsRoute = lazyRoute(() => import('./routes/app/staff'), 'StaffAdminsRoute');
const StaffRolesRoute = lazyRoute(() => import('./routes/app/staff-roles'), 'StaffRolesRoute');

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
      { path: 'services', element: <ServicesRoute /> },
      { path: 'api-credentials', element: <ApiCredentialsRoute /> },
      { path: 'sso-activity', element: <SSOActivityRoute /> },
      { path: 'audit', element: <AuditLogRoute /> },
      { path: 'webhooks', element: <WebhooksRoute /> },
      { path: 'operations', element: <OperationsRoute /> },
      { path: 'operations/:id', element: <OperationRoute /> },
      { path: 'staff', element: <StaffAdminsRoute /> },
      { path: 'staff/roles', element: <StaffRolesRoute /> },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}

/** The data router type (browser router in the app, memory router in tests). */
export type AppRouter = ReturnType<typeof createAppRouter>;
