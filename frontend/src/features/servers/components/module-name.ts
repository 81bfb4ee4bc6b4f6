/** Display names of the application modules (PRODUCT.md section 2). */
export const MODULES = [
  { value: 'cpanel', label: 'cPanel & WHM' },
  { value: 'wpsquared', label: 'WP Squared' },
] as const;

export function moduleName(module: string | undefined): string {
  return MODULES.find((m) => m.value === module)?.label ?? module ?? '—';
}
