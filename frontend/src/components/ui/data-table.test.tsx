import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DataTable } from './data-table';

describe('DataTable', () => {
  it('renders the caption, the column headers and the body rows', () => {
    render(
      <DataTable
        caption="Things"
        columns={[
          'Name',
          { label: 'Count', className: 'num' },
          { label: 'Actions', visuallyHidden: true },
        ]}
      >
        <tr>
          <td>one</td>
          <td className="num">1</td>
          <td />
        </tr>
        <tr>
          <td>two</td>
          <td className="num">2</td>
          <td />
        </tr>
      </DataTable>,
    );

    const table = screen.getByRole('table', { name: 'Things' });
    expect(table).toHaveClass('table');
    expect(table.parentElement).toHaveClass('table-wrap');
    expect(table.parentElement).not.toHaveAttribute('aria-busy');
    expect(within(table).getByText('Things', { selector: 'caption' })).toHaveClass(
      'visually-hidden',
    );

    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((h) => h.textContent)).toEqual(['Name', 'Count', 'Actions']);
    for (const h of headers) expect(h).toHaveAttribute('scope', 'col');
    expect(headers[0]).not.toHaveAttribute('class');
    expect(headers[1]).toHaveClass('num');
    const hidden = within(table).getByText('Actions');
    expect(hidden).toHaveClass('visually-hidden');
    expect(hidden.parentElement).toBe(headers[2]);

    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('one1');
    expect(rows[2]).toHaveTextContent('two2');
  });

  it('adds the extra class to the table and marks the wrapper busy', () => {
    render(
      <DataTable caption="Log entries" className="log-table" columns={['Time']} busy>
        <tr>
          <td>now</td>
        </tr>
      </DataTable>,
    );
    const table = screen.getByRole('table', { name: 'Log entries' });
    expect(table).toHaveAttribute('class', 'table log-table');
    expect(table.parentElement).toHaveAttribute('aria-busy', 'true');
  });
});
