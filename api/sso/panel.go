package sso

import (
	"context"

	"github.com/applinks/applinks/api/links"
)

// PanelSession signs the signed-in user into a service's panel ("Log in to
// cPanel"): it applies the rules (AuthorizePanelSession, which audits a
// refusal), asks the service's server for a one-time session and records
// the outcome as an SSO event. It answers the session's URL. A module
// without a panel type, or a panel that fails, is EUNAVAILABLE (audited as
// panel_error); the panel's own words go to the log only.
func (s *Service) PanelSession(ctx context.Context, a Account, serviceID int64, ip string) (string, error) {
	svc, err := s.AuthorizePanelSession(ctx, a, serviceID, ip)
	if err != nil {
		return "", err
	}
	ev := links.SSOEvent{Kind: links.SSOKindSession, Source: links.SSOSourcePortal, UserID: id(a.User.ID), ClientID: id(a.Current.ID),
		ServiceID: id(svc.ID), ServerID: id(svc.ServerID), Destination: svc.Module, IP: ip}
	panel, ok := s.panels[svc.Module]
	if !ok {
		ev.Outcome, ev.Reason = links.SSORefused, links.SSOReasonPanelError
		s.record(ctx, ev)
		return "", links.Errorf(links.EUNAVAILABLE, "Signing into %s servers is not available.", svc.Module)
	}
	conn, err := s.targets.ServerConn(ctx, svc.ServerID)
	if err != nil {
		return "", err
	}
	u, err := panel.CreateSession(ctx, conn, svc.Username)
	if err != nil {
		s.log.Warn("portal: panel session failed", "service_id", svc.ID, "server_id", svc.ServerID, "err", err)
		ev.Outcome, ev.Reason = links.SSORefused, links.SSOReasonPanelError
		s.record(ctx, ev)
		return "", links.Errorf(links.EUNAVAILABLE, "The server could not open a session for this account right now; try again in a moment.")
	}
	ev.Outcome = links.SSOSuccess
	s.record(ctx, ev)
	return u, nil
}
