import { Button } from '@/components/ui/button';

/** Newer / Older paging of a client-area list, hidden when everything fits on one page. */
export function PortalPager({
  page,
  total,
  perPage,
  label,
  onPage,
}: {
  page: number;
  total: number;
  perPage: number;
  /** Names the navigation for screen readers, e.g. Activity pages. */
  label: string;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  return (
    <nav className="portal-pager" aria-label={label}>
      <Button
        size="sm"
        disabled={page <= 1}
        onClick={() => {
          onPage(page - 1);
        }}
      >
        Newer
      </Button>
      <span>
        Page {page} of {pages}
      </span>
      <Button
        size="sm"
        disabled={page >= pages}
        onClick={() => {
          onPage(page + 1);
        }}
      >
        Older
      </Button>
    </nav>
  );
}
