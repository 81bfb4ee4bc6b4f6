import { PageHeader } from '@/components/ui/page-header';
import { ServicesList } from '@/features/services/components/services-list';

export function ServicesRoute() {
  return (
    <>
      <PageHeader
        title="Services"
        description="Hosting accounts, newest first: find one by username or domain, move it, suspend or terminate it."
      />
      <ServicesList />
    </>
  );
}
