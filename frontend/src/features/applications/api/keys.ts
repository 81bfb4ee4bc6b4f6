/** Query keys of this feature, in one place so mutations invalidate the right things. */
export const applicationKeys = {
  all: ['applications'] as const,
  list: () => ['applications', 'list'] as const,
  detail: (module: string) => ['applications', 'detail', module] as const,
  status: (module: string) => ['applications', 'detail', module, 'status'] as const,
  links: (module: string) => ['applications', 'detail', module, 'links'] as const,
  log: (module: string) => ['applications', 'detail', module, 'log'] as const,
  operations: ['operations'] as const,
};
