import type { RouteObject } from 'react-router';
import { PortalLayout } from '@/components/layouts/portal-layout';
import { PortalHome, PortalLanding, PortalNotFound } from './pages';

/**
 * One landing route per link-catalogue destination (PRODUCT.md, "The link catalogue"), plus the
 * owner's account pages. Pages backed by this service's data replace these as the portal API
 * appears.
 */
const DESTINATIONS: { path: string; title: string; purpose: string }[] = [
  {
    path: 'services/:serviceId/upgrade',
    title: 'Upgrade/Downgrade',
    purpose: 'Change the package of this hosting account.',
  },
  {
    path: 'services/:serviceId',
    title: 'Service Details',
    purpose: 'Billing information for this hosting account.',
  },
  {
    path: 'services',
    title: 'My Services',
    purpose: 'Your hosting accounts, with “Log in to cPanel”.',
  },
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
    path: 'network-status',
    title: 'Check Network Status',
    purpose: 'The live state of our servers.',
  },
  {
    path: 'profile',
    title: 'Manage Profile',
    purpose: 'Your name, email address and contact details.',
  },
  { path: 'billing', title: 'Manage Billing Information', purpose: 'Your payment methods.' },
  { path: 'emails', title: 'View Email History', purpose: 'Emails we have sent you.' },
  { path: 'invoices', title: 'View Invoice History', purpose: 'Your invoices and payments.' },
  {
    path: 'user-management',
    title: 'User Management',
    purpose: 'Who can access this account, and what they may do.',
  },
  {
    path: 'security',
    title: 'Security Settings',
    purpose: 'Single sign-on and other security settings of this account.',
  },
  {
    path: 'sso-activity',
    title: 'Single Sign-On Activity',
    purpose: 'Recent single sign-on attempts into this account.',
  },
];

export const portalRoutes: RouteObject = {
  path: '/portal',
  element: <PortalLayout user={{ name: 'Customer', isOwner: true }} />,
  children: [
    { index: true, element: <PortalHome /> },
    ...DESTINATIONS.map((d) => ({
      path: d.path,
      element: <PortalLanding title={d.title} purpose={d.purpose} />,
    })),
    { path: '*', element: <PortalNotFound /> },
  ],
};
