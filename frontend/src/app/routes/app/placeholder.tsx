import { EmptyState } from '@/components/ui/states';
import { PageHeader } from '@/components/ui/page-header';

/** A page whose feature is not built yet (its endpoints are not in the API spec yet). */
export function PlaceholderRoute({
  title,
  breadcrumb,
  description,
}: {
  title: string;
  breadcrumb?: string;
  description?: string;
}) {
  return (
    <>
      <PageHeader title={title} breadcrumb={breadcrumb} description={description} />
      <EmptyState title="Not available yet">
        This page appears once the service documents its endpoints.
      </EmptyState>
    </>
  );
}
