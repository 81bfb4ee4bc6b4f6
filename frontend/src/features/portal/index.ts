// The portal feature's public surface. The route modules in app/routes/portal import components
// by path instead, so that each lazily loaded page's chunk holds only what that page uses.
export * from './components';
export { usePortalMe, type PortalMe } from './api/get-me';
export { usePortalLogout } from './api/logout';
export { portalKeys } from './api/keys';
