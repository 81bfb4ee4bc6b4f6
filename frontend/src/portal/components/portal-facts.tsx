import type { ReactNode } from 'react';

/** A client-area list of facts: each term over its value. Terms must be unique (they are the keys). */
export function PortalFacts({ facts }: { facts: readonly (readonly [string, ReactNode])[] }) {
  return (
    <dl className="portal-facts">
      {facts.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
