import { PageHeader } from '@/components/ui/page-header';
import { SSOEvents } from '@/features/sso-events/components/sso-events';

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
