import { PageHeader } from '@/components/ui/page-header';
import { ApiCredentials } from '@/features/api-credentials/components/api-credentials';
import { SSOEvents } from '@/features/sso-events/components/sso-events';

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

export function SSOActivityRoute() {
  return (
    <>
      <PageHeader
        title="SSO Activity"
        description="Every single sign-on token issued, redeemed or refused, newest first."
      />
      <SSOEvents />
    </>
  );
}
