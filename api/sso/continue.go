package sso

import (
	"context"
	"net/url"
	"strconv"

	"github.com/applinks/applinks/api/links"
)

// ContinuePath is where the fallback page's sign-in continues to for a
// custom link with an external target: once the customer is signed in to
// the client area, it issues a sign-in token to the link (Continue), so
// the browser reaches the target through the same redemption as a click.
const ContinuePath = "/sso/continue"

// ContinueURL is the continuation of a custom link for the subscriber's
// service (sub as the fallback url carried it; a malformed one is left
// out, and Continue refuses its absence).
func ContinueURL(key, sub string) string {
	q := url.Values{"destination": {key}}
	if validSecretText(sub, 1, 128) {
		q.Set("sub", sub)
	}
	return ContinuePath + "?" + q.Encode()
}

// Continue issues a one-time token (as the click would have) for a user
// signed in to the client area, to the custom link key of the service of
// the subscriber sub, and answers its redeem URL. The user must be on the
// service's account, and the rules of a click apply to that user (account
// not Closed, single sign-on allowed, the sso permission and that of the
// link's page, the service still active); every issue and refusal is an
// SSO event of source portal.
func (s *Service) Continue(ctx context.Context, userID int64, key, sub, ip string) (string, error) {
	ev := links.SSOEvent{Kind: links.SSOKindIssue, Source: links.SSOSourcePortal, Destination: truncate(key, 60), IP: ip, UserID: id(userID)}
	redirect, err := s.continueTo(ctx, userID, key, sub, &ev)
	// A successful issue is recorded with its token, in one commit.
	if err != nil && links.ErrorCode(err) != links.EUNAVAILABLE {
		s.record(ctx, outcome(ev, err))
	}
	return redirect, err
}

func (s *Service) continueTo(ctx context.Context, userID int64, key, sub string, ev *links.SSOEvent) (string, error) {
	if !links.IsCustomKey(key) {
		return "", refuseField(links.SSOReasonInvalidDestination, "destination", "Invalid destination %q: only a custom link continues here.", truncate(key, 64))
	}
	notYours := refuse(links.SSOReasonInvalidService, links.ENOTFOUND, "This link is not one of a service of your account.")
	if !validSecretText(sub, 1, 128) {
		return "", notYours
	}
	target, err := s.targets.SSOClickTarget(ctx, sub)
	if links.ErrorCode(err) == links.ENOTFOUND {
		return "", notYours
	} else if err != nil {
		return "", err
	}
	svc := target.Service
	rc := ruleCheck{client: target.Client, userID: userID, service: &svc, active: target.ServerActive}
	if userID != target.Client.OwnerUserID {
		m, err := s.accounts.Membership(ctx, target.Client.ID, userID)
		if links.ErrorCode(err) == links.ENOTFOUND {
			return "", notYours // the same answer: nothing about other accounts
		} else if err != nil {
			return "", err
		}
		rc.membership = &m
	}
	ev.ClientID, ev.ServiceID, ev.ServerID = id(target.Client.ID), id(svc.ID), id(svc.ServerID)
	st, found, err := s.customLink(ctx, svc.Module, key)
	if err != nil {
		return "", err
	} else if !found {
		return "", refuseField(links.SSOReasonInvalidDestination, "destination", "The link %q was removed.", key)
	}
	rc.page = customPage(st)
	if err := check(rc); err != nil {
		return "", err
	}
	raw, _, err := s.newToken(ctx, links.SSOToken{UserID: userID, ClientID: target.Client.ID, ServiceID: svc.ID,
		Destination: key, Issuer: portalIssuer + strconv.FormatInt(userID, 10)}, ev)
	if err != nil {
		return "", err
	}
	return s.redeemURL(raw), nil
}

// portalIssuer starts the issuer of a token the client area issued (a
// continuation), followed by the user's id.
const portalIssuer = "portal:user:"
