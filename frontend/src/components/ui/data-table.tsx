import type { ReactNode } from 'react';

/**
 * A column header: its label, or the label with a class for the cell (e.g. num, right-aligned)
 * or shown to screen readers only (e.g. Actions over a column of buttons).
 */
export type DataTableColumn =
  string | { label: string; className?: string; visuallyHidden?: boolean };

/**
 * The frame of a list table: the scrolling wrapper, a caption for screen readers and one row
 * of column headers; `children` are the body rows. Column labels must be unique (they are the keys).
 */
export function DataTable({
  caption,
  columns,
  className,
  busy,
  children,
}: {
  /** Names the table for screen readers, e.g. Servers. */
  caption: string;
  columns: readonly DataTableColumn[];
  /** Added to the table's own class, e.g. log-table. */
  className?: string;
  /** Sets aria-busy on the wrapper, e.g. while a newer page loads. */
  busy?: boolean;
  /** The body rows (<tr>). */
  children: ReactNode;
}) {
  return (
    <div className="table-wrap" aria-busy={busy}>
      <table className={className ? `table ${className}` : 'table'}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const col = typeof c === 'string' ? { label: c } : c;
              return (
                <th key={col.label} scope="col" className={col.className}>
                  {col.visuallyHidden ? (
                    <span className="visually-hidden">{col.label}</span>
                  ) : (
                    col.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
