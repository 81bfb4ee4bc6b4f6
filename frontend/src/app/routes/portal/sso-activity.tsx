import { usePortalMe } from '@/features/portal/api/get-me';
import { SSOActivity } from '@/features/portal/components/sso-activity';
import { PortalPage } from './portal-page';

export function PortalSSOActivityRoute() {
  const me = usePortalMe();
  return (
    <PortalPage title="Single Sign-On Activity">
      <SSOActivity owner={me.data?.owner === true} />
    </PortalPage>
  );
}
