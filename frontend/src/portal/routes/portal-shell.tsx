import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { PortalLayout } from '@/portal/components/portal-layout';
import { Spinner } from '@/components/ui/spinner';
import { ErrorState } from '@/components/ui/states';
import { usePortalMe } from '@/portal/lib/get-me';
import { portalKeys } from '@/portal/lib/keys';
import { usePortalLogout } from '@/portal/features/auth/api/logout';
import { AccountSwitcher } from '@/portal/features/auth/components/account-switcher';
import { canOpen, PageGuard } from '@/portal/features/auth/components/page-access';
import { ApiError } from '@/lib/api-error';
import { setUnauthorizedHandler } from '@/lib/api-client';

/**
 * The signed-in client area: checks the session (GET /api/v1/portal/me), frames the pages with
 * the portal layout and its "Hello, Name!" menu, shows a page the user lacks the permission for
 * as "you do not have permission" (PageGuard) and hides its menu entries, and sends a lost session (401) to
 * /portal/login?expired=1&next=<where the user was>.
 */
export function PortalShell() {
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const me = usePortalMe();
  const logout = usePortalLogout();
  const here = location.pathname + location.search;

  useEffect(
    () =>
      setUnauthorizedHandler('portal', {
        navigate: (url) => {
          // Leave first, then forget: no mounted query asks again and meets another 401.
          void Promise.resolve(navigate(url, { replace: true })).then(() => {
            qc.removeQueries({ queryKey: portalKeys.all });
          });
        },
        here: () => here,
      }),
    [navigate, qc, here],
  );

  if (me.isPending || (me.isError && me.error instanceof ApiError && me.error.status === 401)) {
    return (
      <PortalLayout>
        <Spinner label="Checking your session…" />
      </PortalLayout>
    );
  }
  if (me.isError) {
    return (
      <PortalLayout>
        <ErrorState
          error={me.error}
          title="The client area is unavailable"
          onRetry={() => void me.refetch()}
        />
      </PortalLayout>
    );
  }

  const user = {
    name: me.data.user.name || me.data.user.email,
    isOwner: me.data.owner,
    accountName: me.data.current_account.name,
    canOpen: (path: string) => canOpen(me.data, path),
  };
  return (
    <PortalLayout
      user={user}
      menuExtra={
        me.data.accounts.length > 1 ? (
          <AccountSwitcher
            key={me.data.current_account.id}
            me={me.data}
            onSwitched={() => void navigate('/portal')}
          />
        ) : undefined
      }
      onLogout={() => {
        logout.mutate(undefined, {
          onSettled: () => {
            void Promise.resolve(navigate('/portal/login', { replace: true })).then(logout.clear);
          },
        });
      }}
    >
      <PageGuard me={me.data}>
        <Outlet />
      </PageGuard>
    </PortalLayout>
  );
}
