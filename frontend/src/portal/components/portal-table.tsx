import type { ReactNode } from 'react';

/**
 * A client-area table in its card: a caption for screen readers and one row of column headers;
 * `children` are the body rows. Column labels must be unique (they are the keys).
 */
export function PortalTable({
  caption,
  columns,
  children,
}: {
  /** Names the table for screen readers, e.g. Account activity. */
  caption: string;
  columns: readonly string[];
  /** The body rows (<tr>). */
  children: ReactNode;
}) {
  return (
    <div className="portal-card portal-table-wrap">
      <table className="portal-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
