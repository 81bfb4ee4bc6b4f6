package sso_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

func TestClickIssuesOneTimeTokenForTheOwnerOnThePublicURL(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		if f.svc.PublicURL() != publicURL {
			t.Fatalf("PublicURL %q, want the trailing slash trimmed: %q", f.svc.PublicURL(), publicURL)
		}
		issuedAt := f.clk.now()
		raw := f.mustClick("invoice_history")
		if len(raw) < 43 { // 32 random bytes, base64url
			t.Fatalf("access token %q is shorter than 32 bytes of entropy", raw)
		}
		for _, c := range raw {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				t.Fatalf("access token %q is not URL-safe", raw)
			}
		}
		tok := f.storedToken(raw)
		if tok.UserID != f.client.OwnerUserID || tok.ClientID != f.client.ID || tok.ServiceID != f.service.ID ||
			tok.Destination != "invoice_history" || tok.RedirectPath != "" || tok.UsedAt != nil ||
			tok.Issuer != "cpanel:server:"+strconv.FormatInt(f.server.ID, 10) {
			t.Fatalf("stored token %+v", tok)
		}
		if !tok.ExpiresAt.Equal(issuedAt.Add(sso.MaxTokenTTL)) {
			t.Fatalf("token expires at %v, want issue time + 60 s = %v", tok.ExpiresAt, issuedAt.Add(sso.MaxTokenTTL))
		}

		// A second click gives another token.
		if raw2 := f.mustClick("invoice_history"); raw2 == raw {
			t.Fatal("two clicks gave the same token")
		}

		evs := f.events()
		if len(evs) != 2 {
			t.Fatalf("events %+v, want one issue per click", evs)
		}
		for _, e := range evs {
			wantEvent(t, e, links.SSOKindIssue, links.SSOSourceCPanel, links.SSOSuccess, "")
			if idOf(e.ClientID) != f.client.ID || idOf(e.UserID) != f.client.OwnerUserID || idOf(e.ServiceID) != f.service.ID ||
				idOf(e.ServerID) != f.server.ID || e.Destination != "invoice_history" || e.IP != "198.51.100.7" || e.CredentialID != nil {
				t.Fatalf("issue event %+v", e)
			}
			if !e.Time.Equal(issuedAt) {
				t.Fatalf("event time %v, want the service clock's %v", e.Time, issuedAt)
			}
		}
	})
}

func TestClickThenRedeemLandsOnTheDestinationRoute(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		sid := strconv.FormatInt(f.service.ID, 10)
		for dest, want := range map[string]string{
			"invoice_history": "/portal/invoices",
			"open_ticket":     "/portal/tickets/new",
			"billing_info":    "/portal/services/" + sid,
			"upgrade":         "/portal/services/" + sid + "/upgrade",
		} {
			raw := f.mustClick(dest)
			sess, err := f.svc.Redeem(f.ctx, raw, "203.0.113.9")
			if err != nil {
				t.Fatalf("redeem %s: %v", dest, err)
			}
			if sess.UserID != f.client.OwnerUserID || sess.ClientID != f.client.ID || sess.Location != want || !sess.Panel || sess.Destination != dest {
				t.Fatalf("redeem %s: session %+v, want the owner on %s", dest, sess, want)
			}
		}
		evs := f.events()
		last := evs[len(evs)-1]
		wantEvent(t, last, links.SSOKindRedeem, links.SSOSourceCPanel, links.SSOSuccess, "")
		if idOf(last.ClientID) != f.client.ID || idOf(last.UserID) != f.client.OwnerUserID || idOf(last.ServiceID) != f.service.ID ||
			idOf(last.ServerID) != f.server.ID || last.IP != "203.0.113.9" {
			t.Fatalf("redeem event %+v", last)
		}
	})
}

func TestClickRefusals(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		other := f.newClient("other")
		otherSvc := f.newService(other.ID, "other")
		otherCreds, err := f.st.ServiceLinkCreds(f.ctx, otherSvc.ID)
		if err != nil {
			t.Fatal(err)
		}
		good := sso.ClickRequest{Destination: "invoice_history", SubscriberID: f.creds.SubscriberUniqueID, Token: f.creds.Token, IP: "198.51.100.7"}
		wrongToken := good
		wrongToken.Token = strings.Repeat("A", len(f.creds.Token))
		otherToken := good
		otherToken.Token = otherCreds.Token // a valid token of another service
		unknownSub := good
		unknownSub.SubscriberID = "al_nobody0123456789"
		shortToken := good
		shortToken.Token = "short"
		noToken := good
		noToken.Token = ""
		badSub := good
		badSub.SubscriberID = "al_x'; DROP TABLE clients; --"
		unknownDest := good
		unknownDest.Destination = "nowhere"
		homeDest := good
		homeDest.Destination = links.DestinationHome // API-only destinations are not link keys
		customDest := good
		customDest.Destination = links.DestinationCustom
		noDest := good
		noDest.Destination = ""

		restore := func() {
			f.patchClient(f.client.ID, links.ClientPatch{Status: ptr(links.ClientActive), AllowSSO: ptr(true)})
			f.setServiceStatus(f.service.ID, links.ServiceActive)
			f.setServerActive(true)
		}
		cases := []struct {
			name    string
			req     sso.ClickRequest
			setup   func()
			reason  string
			code    string
			message string // a part of the error's message
			known   bool   // the event names the account
		}{
			{name: "wrong token", req: wrongToken, reason: links.SSOReasonBadCredentials, code: links.EUNAUTHORIZED, message: "not valid", known: true},
			{name: "another service's token", req: otherToken, reason: links.SSOReasonBadCredentials, code: links.EUNAUTHORIZED, message: "not valid", known: true},
			{name: "unknown subscriber", req: unknownSub, reason: links.SSOReasonBadCredentials, code: links.EUNAUTHORIZED, message: "not valid"},
			{name: "short token", req: shortToken, reason: links.SSOReasonBadCredentials, code: links.EUNAUTHORIZED, message: "missing or malformed"},
			{name: "no token", req: noToken, reason: links.SSOReasonBadCredentials, code: links.EUNAUTHORIZED, message: "missing or malformed"},
			{name: "malformed subscriber", req: badSub, reason: links.SSOReasonBadCredentials, code: links.EUNAUTHORIZED, message: "missing or malformed"},
			{name: "unknown destination", req: unknownDest, reason: links.SSOReasonInvalidDestination, code: links.EINVALID, message: `Invalid destination "nowhere"`},
			{name: "home destination", req: homeDest, reason: links.SSOReasonInvalidDestination, code: links.EINVALID, message: "catalogue key"},
			{name: "custom destination", req: customDest, reason: links.SSOReasonInvalidDestination, code: links.EINVALID, message: "catalogue key"},
			{name: "no destination", req: noDest, reason: links.SSOReasonInvalidDestination, code: links.EINVALID, message: "catalogue key"},
			{name: "allow_sso off", req: good, reason: links.SSOReasonSSODisabled, code: links.EFORBIDDEN, known: true,
				message: "SSO authentication blocked for client " + strconv.FormatInt(f.client.ID, 10) + ".",
				setup:   func() { f.patchClient(f.client.ID, links.ClientPatch{AllowSSO: ptr(false)}) }},
			{name: "client closed", req: good, reason: links.SSOReasonClientClosed, code: links.EFORBIDDEN, known: true, message: "the account is closed",
				setup: func() { f.patchClient(f.client.ID, links.ClientPatch{Status: ptr(links.ClientClosed)}) }},
			{name: "closed before allow_sso", req: good, reason: links.SSOReasonClientClosed, code: links.EFORBIDDEN, known: true, message: "closed",
				setup: func() {
					f.patchClient(f.client.ID, links.ClientPatch{Status: ptr(links.ClientClosed), AllowSSO: ptr(false)})
				}},
			{name: "credentials before the rules", req: wrongToken, reason: links.SSOReasonBadCredentials, code: links.EUNAUTHORIZED, known: true, message: "not valid",
				setup: func() { f.patchClient(f.client.ID, links.ClientPatch{Status: ptr(links.ClientClosed)}) }},
			{name: "service terminated", req: good, reason: links.SSOReasonServiceInactive, code: links.EFORBIDDEN, known: true, message: "is terminated",
				setup: func() { f.setServiceStatus(f.service.ID, links.ServiceTerminated) }},
			{name: "service cancelled", req: good, reason: links.SSOReasonServiceInactive, code: links.EFORBIDDEN, known: true, message: "is cancelled",
				setup: func() { f.setServiceStatus(f.service.ID, links.ServiceCancelled) }},
			{name: "service pending", req: good, reason: links.SSOReasonServiceInactive, code: links.EFORBIDDEN, known: true, message: "is pending",
				setup: func() { f.setServiceStatus(f.service.ID, links.ServicePending) }},
			{name: "server inactive", req: good, reason: links.SSOReasonServiceInactive, code: links.EFORBIDDEN, known: true, message: "on an inactive server",
				setup: func() { f.setServerActive(false) }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if tc.setup != nil {
					tc.setup()
				}
				defer restore()
				before, tokens := len(f.events()), f.tokenCount()
				u, err := f.svc.Click(f.ctx, tc.req)
				if u != "" {
					t.Fatalf("refused click answered a URL %q", u)
				}
				r := refusal(t, err, tc.reason, tc.code)
				if !strings.Contains(r.Err.Message, tc.message) {
					t.Fatalf("message %q does not say %q", r.Err.Message, tc.message)
				}
				if strings.Contains(err.Error(), f.creds.Token) || strings.Contains(err.Error(), otherCreds.Token) {
					t.Fatalf("the refusal repeats a link token: %v", err)
				}
				if n := f.tokenCount(); n != tokens {
					t.Fatalf("a refused click stored a token (%d -> %d)", tokens, n)
				}
				evs := f.newEvents(before)
				if len(evs) != 1 {
					t.Fatalf("new events %+v, want exactly the refusal", evs)
				}
				e := evs[0]
				wantEvent(t, e, links.SSOKindIssue, links.SSOSourceCPanel, links.SSORefused, tc.reason)
				if e.IP != "198.51.100.7" || e.Destination != tc.req.Destination {
					t.Fatalf("refusal event %+v", e)
				}
				if tc.known {
					if idOf(e.ClientID) != f.client.ID || idOf(e.ServiceID) != f.service.ID || idOf(e.UserID) != f.client.OwnerUserID || idOf(e.ServerID) != f.server.ID {
						t.Fatalf("refusal event %+v does not name the account", e)
					}
				} else if e.ClientID != nil || e.ServiceID != nil || e.UserID != nil {
					t.Fatalf("refusal event %+v names an account it never resolved", e)
				}
			})
		}
	})
}

// The rules refuse only a Closed account and a service that no longer
// qualifies for links: an Inactive account and a Suspended service (which
// keeps its links) still sign in.
func TestClickAllowsInactiveClientAndSuspendedService(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		f.patchClient(f.client.ID, links.ClientPatch{Status: ptr(links.ClientInactive)})
		f.setServiceStatus(f.service.ID, links.ServiceSuspended)
		raw := f.mustClick("profile")
		sess, err := f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		if err != nil || sess.UserID != f.client.OwnerUserID || sess.Location != "/portal/profile" {
			t.Fatalf("redeem: %+v, %v", sess, err)
		}
	})
}

// A database that is briefly unavailable is an EUNAVAILABLE error, not a
// refusal: the caller answers {"retry": N}, and no refusal is audited.
func TestClickUnavailableDatabaseIsRetryNotRefusal(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		down := &downStore{Store: f.st}
		svc := sso.New(down, sso.Config{PublicURL: publicURL, RetryAfter: 7, Now: f.clk.now})
		if svc.RetryAfter() != 7 {
			t.Fatalf("RetryAfter %d, want 7", svc.RetryAfter())
		}
		_, err := svc.Click(f.ctx, sso.ClickRequest{Destination: "profile", SubscriberID: f.creds.SubscriberUniqueID, Token: f.creds.Token})
		if links.ErrorCode(err) != links.EUNAVAILABLE || sso.Reason(err) != links.SSOReasonUnavailable {
			t.Fatalf("click on a down database: %v (reason %q)", err, sso.Reason(err))
		}
		if evs := f.events(); len(evs) != 0 {
			t.Fatalf("events %+v: an unavailable database is not a refusal", evs)
		}
		if f.tokenCount() != 0 {
			t.Fatal("a token was stored")
		}
		if sso.New(f.st, sso.Config{}).RetryAfter() != 2 {
			t.Fatal("default RetryAfter is not 2 s")
		}
	})
}

// The token lives TokenTTL, and never more than 60 seconds.
func TestClickTokenTTLIsCappedAt60Seconds(t *testing.T) {
	each(t, sso.Config{TokenTTL: 5 * time.Minute}, func(t *testing.T, f *fixture) {
		at := f.clk.now()
		tok := f.storedToken(f.mustClick("profile"))
		if !tok.ExpiresAt.Equal(at.Add(60 * time.Second)) {
			t.Fatalf("expires at %v, want at most 60 s after %v", tok.ExpiresAt, at)
		}
	})
}
