import { Button } from './button';

/** Previous / next paging with "x–y of z". Hidden when everything fits on one page. */
export function Pagination({
  page,
  perPage,
  total,
  onPage,
  label = 'Pagination',
}: {
  page: number;
  perPage: number;
  total: number;
  onPage: (page: number) => void;
  label?: string;
}) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (total <= perPage && page <= 1) return null;
  const from = total === 0 ? 0 : (page - 1) * perPage + 1;
  const to = Math.min(total, page * perPage);
  return (
    <nav className="pagination" aria-label={label}>
      <Button
        size="sm"
        disabled={page <= 1}
        onClick={() => {
          onPage(page - 1);
        }}
      >
        Previous
      </Button>
      <span className="pagination__info">
        {from}–{to} of {total}
      </span>
      <Button
        size="sm"
        disabled={page >= pages}
        onClick={() => {
          onPage(page + 1);
        }}
      >
        Next
      </Button>
    </nav>
  );
}
