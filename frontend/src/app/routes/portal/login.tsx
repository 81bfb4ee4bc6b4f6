import { useEffect } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { PortalLayout } from '@/components/layouts/portal-layout';
import { PortalLogin } from '@/features/portal';
import { safeNext } from '@/lib/portal-client';

/** /portal/login?error=<sso reason>&next=<portal path>&expired=1 */
export function PortalLoginRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));

  useEffect(() => {
    document.title = 'Sign in · Client Area';
  }, []);

  return (
    <PortalLayout>
      <PortalLogin
        reason={params.get('error')}
        expired={params.get('expired') === '1'}
        next={next}
        onSignedIn={(to) => {
          // safeNext again: the target must stay a same-origin client-area path.
          void navigate(safeNext(to) ?? '/portal', { replace: true });
        }}
      />
    </PortalLayout>
  );
}
