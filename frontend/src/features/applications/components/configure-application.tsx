import { Link } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import { Spinner } from '@/components/ui/spinner';
import { ErrorState } from '@/components/ui/states';
import { useApplication } from '../api/get-application';
import { useApplicationLinks } from '../api/get-application-links';
import { useApplicationStatus } from '../api/get-application-status';
import { LinksEditor } from './links-editor';
import { StatusIndicator } from './status-indicator';

/** Configure: which links appear in cPanel, their labels and order. */
export function ConfigureApplication({ module }: { module: string }) {
  const app = useApplication(module);
  const links = useApplicationLinks(module);
  const status = useApplicationStatus(module);
  const name = app.data?.name ?? module;
  const enabled = status.data?.enabled ?? app.data?.enabled ?? false;

  return (
    <>
      <PageHeader
        title={`Configure ${name}`}
        breadcrumb={
          <>
            Configuration › System Settings ›{' '}
            <Link to="/settings/application-links">Application Links</Link>
          </>
        }
        description="Choose the links that appear in the “Billing & Support” group of every customer's control panel, their labels and their order."
        actions={
          <Link className="btn" to={`/settings/application-links/${module}/log`}>
            View Log
          </Link>
        }
      />
      <div className="card card--inline">
        <StatusIndicator status={status.data ?? app.data?.status} />
        <span className="muted">
          {enabled
            ? 'Saving queues a sync of every account.'
            : 'Application links are disabled: changes are saved and pushed when you enable them.'}
        </span>
      </div>
      {links.isPending || app.isPending ? (
        <Spinner label="Loading links…" />
      ) : links.isError || app.isError ? (
        <ErrorState
          error={links.error ?? app.error}
          title="Could not load the links"
          onRetry={() => {
            void links.refetch();
            void app.refetch();
          }}
        />
      ) : (
        <LinksEditor module={module} links={links.data} enabled={enabled} />
      )}
    </>
  );
}
