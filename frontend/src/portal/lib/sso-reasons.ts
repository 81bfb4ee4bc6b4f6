/**
 * Plain words for every single sign-on refusal code (api/links/sso.go, the SSOReason*
 * constants). The redeem endpoint sends the user to /portal/login?error=<code>; the services
 * page shows the same words when "Log in to cPanel" is refused.
 */
export interface SSOReasonText {
  title: string;
  /** What happened, in words a customer understands. */
  detail: string;
  /** What to do about it. */
  action: string;
}

const SIGN_IN = 'Sign in below to continue.';

export const SSO_REASONS: Record<string, SSOReasonText> = {
  expired_token: {
    title: 'That sign-in link has expired',
    detail: 'Single sign-on links work for one minute only, and this one was used too late.',
    action: `${SIGN_IN} Next time, click the link in your control panel again for a fresh one.`,
  },
  used_token: {
    title: 'That sign-in link was already used',
    detail:
      'Each single sign-on link works once. This one has been used already (for example by reloading the page or opening it twice).',
    action: `${SIGN_IN} Clicking the link in your control panel again gives you a fresh one.`,
  },
  invalid_token: {
    title: 'That sign-in link is not valid',
    detail:
      'The link is incomplete or was not issued by us (it may have been cut off when copied).',
    action: SIGN_IN,
  },
  sso_disabled: {
    title: 'Single sign-on is turned off for this account',
    detail:
      'The account owner has switched off single sign-on in Security Settings, so links from your control panel cannot sign you in automatically.',
    action: `${SIGN_IN} The account owner can turn it back on in Hello > Security Settings.`,
  },
  client_closed: {
    title: 'This account is closed',
    detail:
      'The account the link belongs to has been closed, so single sign-on into it is no longer possible.',
    action: 'Contact our support team if you believe this is a mistake.',
  },
  service_inactive: {
    title: 'This service is no longer active',
    detail:
      'The hosting service the link came from is not active any more (it may be pending, terminated or cancelled, or its server has been retired).',
    action: `${SIGN_IN} Your services page shows the state of each service.`,
  },
  no_sso_permission: {
    title: 'Your single sign-on permission was revoked',
    detail: 'The account owner has not given you permission to use single sign-on on this account.',
    action: `${SIGN_IN} Ask the account owner to allow “Perform Single Sign-On” for you in User Management.`,
  },
  no_destination_permission: {
    title: 'You do not have permission to open that page',
    detail:
      'The link was for a page of this account that your login may not open (for example the invoices, without “View & Pay Invoices”).',
    action: `${SIGN_IN} Ask the account owner to grant the permission in User Management if you need that page.`,
  },
  user_not_on_client: {
    title: 'You are not a user of this account',
    detail: 'The link was for an account you do not (or no longer) have access to.',
    action: `${SIGN_IN} Ask the account owner to add you if you need access.`,
  },
  invalid_credentials: {
    title: 'The link could not be verified',
    detail:
      'Your control panel sent credentials we could not verify, so we could not sign you in automatically.',
    action: `${SIGN_IN} If this keeps happening, contact our support team.`,
  },
  invalid_client: {
    title: 'The account does not exist',
    detail: 'The link points to an account we do not know.',
    action: SIGN_IN,
  },
  invalid_user: {
    title: 'The user does not exist',
    detail: 'The link was issued for a user we do not know.',
    action: SIGN_IN,
  },
  invalid_service: {
    title: 'The service does not exist',
    detail: 'The link points to a service that does not exist or does not belong to this account.',
    action: SIGN_IN,
  },
  invalid_destination: {
    title: 'The link leads nowhere we know',
    detail: 'The page the link was meant to open does not exist or is not allowed.',
    action: SIGN_IN,
  },
  invalid_request: {
    title: 'The sign-in request was malformed',
    detail: 'Something was missing or wrong in the request from your control panel.',
    action: SIGN_IN,
  },
  forbidden_source: {
    title: 'Your control panel is not allowed to sign you in',
    detail:
      'The sign-in request came from an address we do not accept single sign-on from for this server.',
    action: `${SIGN_IN} If this keeps happening, contact our support team.`,
  },
  credential_forbidden: {
    title: 'The application may not sign you in',
    detail:
      'The application that sent you here is not (or no longer) allowed to create sign-in links.',
    action: SIGN_IN,
  },
  switch_declined: {
    title: 'Switch of login declined',
    detail:
      'The sign-in link was opened in a browser already signed in with another login, and the person there chose to stay signed in, so the link was discarded.',
    action:
      'Open the link from your own control panel again. If you did not send it to anyone, tell our support team.',
  },
  email_in_use: {
    title: 'Someone tried to take this sign-in email',
    detail:
      'Another login of the client area asked to make this address its own sign-in email. It was refused: the address stays with its user.',
    action: 'Nothing to do. If this keeps happening, tell our support team.',
  },
  panel_error: {
    title: 'The control panel did not answer',
    detail: 'The server of your service refused or did not respond in time.',
    action: 'Please try again in a moment.',
  },
  unavailable: {
    title: 'We are briefly unavailable',
    detail: 'Our service could not complete the sign-in right now.',
    action: 'Please try again in a moment.',
  },
  rate_limited: {
    title: 'Too many attempts',
    detail: 'There were too many sign-in attempts in a short time, so we paused them for a moment.',
    action: 'Please wait a minute and try again.',
  },
  error: {
    title: 'Single sign-on failed',
    detail: 'Something went wrong on our side while signing you in.',
    action: `${SIGN_IN} If this keeps happening, contact our support team.`,
  },
};

/** The words for a refusal code; unknown codes get a generic explanation. */
export function ssoReasonText(code: string): SSOReasonText {
  return (
    SSO_REASONS[code] ?? {
      title: 'Single sign-on was refused',
      detail: 'We could not sign you in automatically.',
      action: SIGN_IN,
    }
  );
}
