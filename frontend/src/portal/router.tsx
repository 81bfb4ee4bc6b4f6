import { Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { PortalLayout } from '@/portal/components/portal-layout';
import { Spinner } from '@/components/ui/spinner';
import { lazyRoute } from '@/lib/lazy-route';
import { RouteErrorBoundary } from '@/components/route-error';

// Every client-area page is its own chunk (see lazyRoute); the staff dashboard loads none of
// them, and the portal frame (PortalLayout) is in the main chunk so that it stays on screen
// while a page loads.
const PortalLoginRoute = lazyRoute(() => import('./routes/login'), 'PortalLoginRoute');
const PortalShell = lazyRoute(() => import('./routes/portal-shell'), 'PortalShell');
const PortalHome = lazyRoute(() => import('./routes/home'), 'PortalHome');
const PortalServicesRoute = lazyRoute(() => import('./routes/services'), 'PortalServicesRoute');
const PortalServiceRoute = lazyRoute(() => import('./routes/service'), 'PortalServiceRoute');
const PortalUpgradeRoute = lazyRoute(() => import('./routes/service'), 'PortalUpgradeRoute');
const PortalProfileRoute = lazyRoute(() => import('./routes/profile'), 'PortalProfileRoute');
const PortalNetworkStatusRoute = lazyRoute(
  () => import('./routes/network-status'),
  'PortalNetworkStatusRoute',
);
const PortalSSOActivityRoute = lazyRoute(
  () => import('./routes/sso-activity'),
  'PortalSSOActivityRoute',
);
const PortalUserManagementRoute = lazyRoute(
  () => import('./routes/user-management'),
  'PortalUserManagementRoute',
);
const PortalSecurityRoute = lazyRoute(() => import('./routes/security'), 'PortalSecurityRoute');
const PortalActivityRoute = lazyRoute(() => import('./routes/activity'), 'PortalActivityRoute');
const PortalLanding = lazyRoute(() => import('./routes/landing'), 'PortalLanding');
const PortalNotFound = lazyRoute(() => import('./routes/landing'), 'PortalNotFound');

/**
 * The catalogue destinations whose data lives in the billing system (PRODUCT.md, "The link
 * catalogue"): clean landing pages. Profile, services, service details, upgrade/downgrade and
 * network status are real pages below.
 */
const LANDINGS: { path: string; title: string; purpose: string }[] = [
  {
    path: 'domains/register',
    title: 'Register New Domain',
    purpose: 'Search for and register a new domain name.',
  },
  { path: 'domains/transfer', title: 'Transfer a Domain', purpose: 'Move a domain you own to us.' },
  { path: 'tickets/new', title: 'Open Ticket', purpose: 'Ask our support team for help.' },
  {
    path: 'tickets',
    title: 'View Ticket History',
    purpose: 'Your support tickets and their answers.',
  },
  { path: 'announcements', title: 'News & Announcements', purpose: 'News from our team.' },
  { path: 'downloads', title: 'Download Resources', purpose: 'Files and tools for your services.' },
  {
    path: 'knowledgebase',
    title: 'Search our Knowledgebase',
    purpose: 'Answers to common questions.',
  },
  {
    path: 'billing',
    title: 'Manage Billing Information',
    purpose: 'Your payment methods and billing address.',
  },
  { path: 'emails', title: 'View Email History', purpose: 'The emails we have sent you.' },
  { path: 'invoices', title: 'View Invoice History', purpose: 'Your invoices and payments.' },
];

/** Every client-area route: the public login page, and the signed-in pages in the shell. */
export const portalRoutes: RouteObject = {
  path: '/portal',
  errorElement: <RouteErrorBoundary />,
  children: [
    {
      path: 'login',
      element: (
        <PortalLayout>
          <PortalLoginRoute />
        </PortalLayout>
      ),
    },
    {
      // Until the shell's chunk is here: the same frame, as the shell shows while it checks
      // the session.
      element: (
        <Suspense
          fallback={
            <PortalLayout>
              <Spinner />
            </PortalLayout>
          }
        >
          <PortalShell />
        </Suspense>
      ),
      children: [
        { index: true, element: <PortalHome /> },
        { path: 'services', element: <PortalServicesRoute /> },
        { path: 'services/:serviceId', element: <PortalServiceRoute /> },
        { path: 'services/:serviceId/upgrade', element: <PortalUpgradeRoute /> },
        { path: 'profile', element: <PortalProfileRoute /> },
        { path: 'network-status', element: <PortalNetworkStatusRoute /> },
        { path: 'sso-activity', element: <PortalSSOActivityRoute /> },
        { path: 'user-management', element: <PortalUserManagementRoute /> },
        { path: 'security', element: <PortalSecurityRoute /> },
        { path: 'activity', element: <PortalActivityRoute /> },
        ...LANDINGS.map((d) => ({
          path: d.path,
          element: <PortalLanding key={d.path} title={d.title} purpose={d.purpose} />,
        })),
        { path: '*', element: <PortalNotFound /> },
      ],
    },
  ],
};

/** The 14 catalogue routes plus home and services, for tests. */
export const PORTAL_CATALOGUE_PATHS = [
  '/portal/services/:serviceId/upgrade',
  '/portal/domains/register',
  '/portal/domains/transfer',
  '/portal/tickets/new',
  '/portal/tickets',
  '/portal/announcements',
  '/portal/downloads',
  '/portal/knowledgebase',
  '/portal/network-status',
  '/portal/profile',
  '/portal/services/:serviceId',
  '/portal/billing',
  '/portal/emails',
  '/portal/invoices',
];
