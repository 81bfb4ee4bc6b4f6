export * from './components';
export { usePortalMe, type PortalMe } from './api/get-me';
export { usePortalLogout } from './api/logout';
export { portalKeys } from './api/keys';
