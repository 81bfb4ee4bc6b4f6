import { useEffect } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { PortalLogin } from '@/portal/features/auth/components/portal-login';
import { isServerNext, safeNext } from '@/portal/lib/login-url';

/**
 * /portal/login?error=<sso reason>&next=<portal path>&expired=1, rendered inside the portal
 * layout (routes.tsx), which stays on screen while this page's chunk loads.
 */
export function PortalLoginRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));

  useEffect(() => {
    document.title = 'Sign in · Client Area';
  }, []);

  return (
    <PortalLogin
      reason={params.get('error')}
      expired={params.get('expired') === '1'}
      next={next}
      onSignedIn={(to) => {
        // safeNext again: the target must stay a same-origin client-area path (or the
        // server's continuation of a custom link, which only a full page load reaches).
        const dest = safeNext(to) ?? '/portal';
        if (isServerNext(dest)) window.location.replace(dest);
        else void navigate(dest, { replace: true });
      }}
    />
  );
}
