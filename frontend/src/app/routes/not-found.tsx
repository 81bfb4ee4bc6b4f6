import { Link } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';

/** 404 inside the dashboard. */
export function NotFoundRoute({ home = '/' }: { home?: string }) {
  return (
    <section className="not-found">
      <PageHeader title="Page not found" />
      <p>There is nothing at this address. It may have moved, or the link may be wrong.</p>
      <p>
        <Link to={home}>Go to the start page</Link>
      </p>
    </section>
  );
}
