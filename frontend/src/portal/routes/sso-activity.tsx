import { usePortalMe } from '@/portal/lib/get-me';
import { SSOActivity } from '@/portal/features/sso-activity/components/sso-activity';
import { PortalPage } from './portal-page';

export function PortalSSOActivityRoute() {
  const me = usePortalMe();
  return (
    <PortalPage title="Single Sign-On Activity">
      <SSOActivity owner={me.data?.owner === true} />
    </PortalPage>
  );
}
