/**
 * Short names for the generated schema types. Nothing here describes the API by hand: every
 * name points into schema.d.ts, which `npm run gen:api` writes from docs/swagger.json.
 */
import type { components, paths } from './schema';

/** A schema object of the spec, e.g. Schema<'rest.ServerAnswer'>. */
export type Schema<K extends keyof components['schemas']> = components['schemas'][K];

/** The query parameters of a GET endpoint. */
export type QueryOf<P extends keyof paths> = paths[P] extends {
  get: { parameters: { query?: infer Q } };
}
  ? NonNullable<Q>
  : never;
