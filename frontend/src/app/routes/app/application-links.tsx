import { PageHeader } from '@/components/ui/page-header';
import { ApplicationsTable } from '@/features/applications/components/applications-table';

export function ApplicationLinksRoute() {
  return (
    <>
      <PageHeader
        title="Application Links"
        breadcrumb="Configuration › System Settings"
        description="Push links to the client area into your customers' control panels, where one click signs them in."
      />
      <ApplicationsTable />
    </>
  );
}
