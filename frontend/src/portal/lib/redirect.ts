/** Leaves the SPA for an absolute URL (a panel session). A module of its own so tests mock it. */
export function redirectTo(url: string): void {
  window.location.assign(url);
}
