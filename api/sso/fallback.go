package sso

import (
	"context"
	"errors"
	"time"

	"github.com/applinks/applinks/api/links"
)

// FallbackWindow is how long after a refused cPanel click its fallback
// page still explains the refusal.
const FallbackWindow = 2 * time.Minute

// fallbackScan is how many of the account's latest refused cPanel events
// are looked through for the subscriber's service.
const fallbackScan = 50

// Fallback answers where the fallback page of a link (links.FallbackPageURL)
// sends the browser: the client-area login (LoginURL) that continues to
// destination's route and, when the subscriber's service had a refused click
// within FallbackWindow, explains the latest one's reason.
//
// It reveals nothing about subscribers without such a refusal: an unknown
// or malformed subscriber id, a known one without a recent refusal and a
// failed lookup all get the same answer, the login continuing to the route
// without a service (a service page continues to the list of services), and
// an unknown subscriber costs the same two queries as a known one.
//
// A custom link continues to where it leads: its client-area path, or, for
// an external target, ContinueURL (the sign-in issues a token to the link
// for the subscriber's service, so the target is reached through the same
// redemption as a click). Its application is the refused service's, or,
// without a recent refusal (or for an unknown subscriber), the one that
// has the key; an unknown key continues to the home page.
func (s *Service) Fallback(ctx context.Context, destination, subscriberID string) string {
	// Route answers the home page for an unknown destination, and the
	// list of services for a service page without a service (svcID 0).
	svcID, module, reason := s.recentRefusal(ctx, subscriberID)
	if links.IsCustomKey(destination) {
		return LoginURL(reason, s.customFallback(ctx, module, destination, subscriberID))
	}
	return LoginURL(reason, Route(destination, "", svcID))
}

// customFallback is where the fallback page's sign-in continues to for a
// custom link.
func (s *Service) customFallback(ctx context.Context, module, key, subscriberID string) string {
	st, found, err := s.customLink(ctx, module, key)
	switch {
	case err != nil && !errors.Is(err, errAmbiguousLink):
		s.log.Warn("sso: fallback page: could not read the custom link", "err", err, "destination", key)
		return HomePath
	case !found:
		return HomePath
	case st.Target == links.TargetExternal:
		return ContinueURL(key, subscriberID)
	}
	return customPage(st)
}

// recentRefusal finds the latest refused cPanel click of the subscriber's
// service within FallbackWindow: its service, application and reason, or
// "".
func (s *Service) recentRefusal(ctx context.Context, subscriberID string) (int64, string, string) {
	clientID, svcID, module := int64(-1), int64(-1), "" // no row has them: the same query for an unknown subscriber
	if validSecretText(subscriberID, 1, 128) {
		target, err := s.targets.SSOClickTarget(ctx, subscriberID)
		switch {
		case err == nil:
			clientID, svcID, module = target.Client.ID, target.Service.ID, target.Service.Module
		case links.ErrorCode(err) != links.ENOTFOUND:
			s.log.Warn("sso: fallback page: could not look up the subscriber", "err", err)
		}
	}
	evs, _, err := s.events.ListSSOEvents(ctx, links.SSOEventFilter{ClientID: clientID, Outcome: links.SSORefused,
		Source: links.SSOSourceCPanel, Page: links.Page{Page: 1, PerPage: fallbackScan}})
	if err != nil {
		s.log.Warn("sso: fallback page: could not read the SSO events", "err", err)
		return 0, "", ""
	}
	since := s.now().Add(-FallbackWindow)
	// Newest first: the first event of the service is the latest.
	for _, e := range evs {
		if e.Time.Before(since) {
			break
		}
		if e.Kind == links.SSOKindIssue && e.ServiceID != nil && *e.ServiceID == svcID && e.Reason != "" {
			return svcID, module, e.Reason
		}
	}
	return 0, "", ""
}
