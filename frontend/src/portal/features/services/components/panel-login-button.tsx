import { useRef, useEffect } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ApiError, errorMessage } from '@/lib/api-error';
import { useCreatePanelSession } from '../api/create-panel-session';
import type { PortalService } from '../api/get-services';
import { panelLoginLabel, panelName } from '@/portal/lib/labels';
import { redirectTo } from '@/portal/lib/redirect';
import { ssoReasonText } from '@/portal/lib/sso-reasons';

/**
 * "Log in to cPanel" (or WP Squared) when the API allows it; otherwise the reason in words.
 * A refusal at click time (rules changed since the list loaded) is explained the same way.
 */
export function PanelLogin({ service }: { service: PortalService }) {
  const session = useCreatePanelSession();
  const errorRef = useRef<HTMLDivElement>(null);
  const label = panelLoginLabel(service.module);
  const target = service.domain || service.username || `service ${String(service.id)}`;

  useEffect(() => {
    if (session.isError) errorRef.current?.focus();
  }, [session.isError]);

  if (!service.panel_login) {
    const reason = service.panel_login_reason ?? '';
    const words = reason ? ssoReasonText(reason) : null;
    return (
      <div className="portal-panel-login portal-panel-login--refused">
        <p className="portal-panel-login__why">
          <strong>{label} is not available.</strong>{' '}
          {words ? words.detail : (service.panel_login_message ?? '')}
        </p>
      </div>
    );
  }

  const refusal =
    session.error instanceof ApiError && session.error.reason
      ? ssoReasonText(session.error.reason)
      : null;

  return (
    <div className="portal-panel-login">
      <Button
        variant="primary"
        busy={session.isPending || session.isSuccess}
        aria-label={`${label} for ${target}`}
        onClick={() => {
          session.mutate(service.id, {
            onSuccess: (answer) => {
              if (answer.url) redirectTo(answer.url);
            },
          });
        }}
      >
        {label}
      </Button>
      {session.isError ? (
        <Alert
          tone="error"
          ref={errorRef}
          title={refusal ? refusal.title : `Could not open ${panelName(service.module)}`}
        >
          {refusal ? refusal.detail : errorMessage(session.error)}
        </Alert>
      ) : null}
    </div>
  );
}
