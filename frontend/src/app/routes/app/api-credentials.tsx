import { PageHeader } from '@/components/ui/page-header';
import { ApiCredentials } from '@/features/api-credentials/components/api-credentials';

export function ApiCredentialsRoute() {
  return (
    <>
      <PageHeader
        title="API Credentials"
        description="Trusted applications that may create single sign-on tokens through the API."
      />
      <ApiCredentials />
    </>
  );
}
