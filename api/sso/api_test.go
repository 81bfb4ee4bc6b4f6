package sso_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

func (f *fixture) newCredential(perms []string) links.NewAPICredential {
	f.t.Helper()
	c, err := f.svc.CreateCredential(f.ctx, "  Billing portal  ", perms, 1)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func TestCreateCredentialAndAuthenticate(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		c := f.newCredential(nil)
		if c.Name != "Billing portal" || !strings.HasPrefix(c.Identifier, "ak_") || len(c.Secret) < 43 ||
			!c.Has(links.CredPermCreateSSOToken) || c.RevokedAt != nil {
			t.Fatalf("new credential %+v", c)
		}
		got, err := f.svc.Authenticate(f.ctx, c.Identifier, c.Secret)
		if err != nil || got.ID != c.ID {
			t.Fatalf("authenticate: %+v, %v", got, err)
		}
		if found := f.findPlaintext(c.Secret); len(found) != 0 {
			t.Fatalf("the credential's secret is stored in plain text in %v", found)
		}

		for _, tc := range []struct{ ident, secret string }{
			{c.Identifier, c.Secret[:len(c.Secret)-1] + "x"},
			{c.Identifier, ""},
			{c.Identifier, strings.ToUpper(c.Secret)},
			{"ak_unknown", c.Secret},
			{"", c.Secret},
			{c.Identifier + "'--", c.Secret},
			{c.Identifier, c.Secret + " "},
		} {
			if _, err := f.svc.Authenticate(f.ctx, tc.ident, tc.secret); links.ErrorCode(err) != links.EUNAUTHORIZED ||
				links.ErrorMessage(err) != "The API credential is not valid." {
				t.Fatalf("authenticate %q/%q: %v, want the one generic EUNAUTHORIZED", tc.ident, tc.secret, err)
			}
		}

		if err := f.svc.RevokeCredential(f.ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(f.ctx, c.Identifier, c.Secret); links.ErrorCode(err) != links.EUNAUTHORIZED {
			t.Fatalf("revoked credential: %v", err)
		}
		list, err := f.svc.Credentials(f.ctx)
		if err != nil || len(list) != 1 || list[0].RevokedAt == nil || !list[0].RevokedAt.Equal(f.clk.now()) {
			t.Fatalf("credentials %+v, %v", list, err)
		}

		if _, err := f.svc.CreateCredential(f.ctx, "x", []string{"delete_everything"}, 1); links.ErrorCode(err) != links.EINVALID {
			t.Fatalf("unknown permission: %v", err)
		}
		if _, err := f.svc.CreateCredential(f.ctx, "   ", nil, 1); links.ErrorCode(err) != links.EINVALID {
			t.Fatalf("blank name: %v", err)
		}
	})
}

func TestIssueForApplicationThenRedeem(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		cred := f.newCredential(nil)
		member := f.addUser(f.client.ID, "dev@acme.test", []string{links.UserPermSSO})
		sid := strconv.FormatInt(f.service.ID, 10)
		for _, tc := range []struct {
			req      links.SSOTokenRequest
			user     int64
			location string
		}{
			{links.SSOTokenRequest{ClientID: f.client.ID, Destination: "invoice_history"}, f.client.OwnerUserID, "/portal/invoices"},
			{links.SSOTokenRequest{ClientID: f.client.ID, Destination: links.DestinationHome}, f.client.OwnerUserID, sso.HomePath},
			{links.SSOTokenRequest{ClientID: f.client.ID, Destination: links.DestinationServices}, f.client.OwnerUserID, sso.ServicesPath},
			{links.SSOTokenRequest{ClientID: f.client.ID, Destination: "billing_info", ServiceID: f.service.ID}, f.client.OwnerUserID, "/portal/services/" + sid},
			{links.SSOTokenRequest{ClientID: f.client.ID, Destination: links.DestinationCustom, RedirectPath: "/portal/invoices/42?tab=pdf#top"}, f.client.OwnerUserID, "/portal/invoices/42?tab=pdf#top"},
			{links.SSOTokenRequest{ClientID: f.client.ID, UserID: member.ID, Destination: "profile"}, member.ID, "/portal/profile"},
			{links.SSOTokenRequest{UserID: member.ID, Destination: "profile"}, member.ID, "/portal/profile"}, // the user's only account
			{links.SSOTokenRequest{UserID: f.client.OwnerUserID, Destination: "profile"}, f.client.OwnerUserID, "/portal/profile"},
		} {
			issuedAt := f.clk.now()
			ans, err := f.svc.IssueForApplication(f.ctx, cred.APICredential, tc.req, "192.0.2.1")
			if err != nil {
				t.Fatalf("issue %+v: %v", tc.req, err)
			}
			if accessToken(t, ans.RedirectURL) != ans.AccessToken || !ans.ExpiresAt.Equal(issuedAt.Add(sso.MaxTokenTTL)) {
				t.Fatalf("answer %+v", ans)
			}
			tok := f.storedToken(ans.AccessToken)
			if tok.Issuer != "api:"+strconv.FormatInt(cred.ID, 10) || tok.UserID != tc.user || tok.ClientID != f.client.ID || tok.RedirectPath != tc.req.RedirectPath {
				t.Fatalf("stored token %+v", tok)
			}
			ev := f.events()
			issued := ev[len(ev)-1]
			wantEvent(t, issued, links.SSOKindIssue, links.SSOSourceAPI, links.SSOSuccess, "")
			if idOf(issued.CredentialID) != cred.ID || idOf(issued.ClientID) != f.client.ID || idOf(issued.UserID) != tc.user || issued.IP != "192.0.2.1" {
				t.Fatalf("issue event %+v", issued)
			}

			sess, err := f.svc.Redeem(f.ctx, ans.AccessToken, "203.0.113.9")
			if err != nil || sess.UserID != tc.user || sess.ClientID != f.client.ID || sess.Location != tc.location || sess.Panel {
				t.Fatalf("redeem %+v: %+v, %v; want user %d on %s", tc.req, sess, err, tc.user, tc.location)
			}
			ev = f.events()
			redeemed := ev[len(ev)-1]
			wantEvent(t, redeemed, links.SSOKindRedeem, links.SSOSourceAPI, links.SSOSuccess, "")
			if idOf(redeemed.CredentialID) != cred.ID || redeemed.ServerID != nil {
				t.Fatalf("redeem event %+v", redeemed)
			}
			if _, err := f.svc.Redeem(f.ctx, ans.AccessToken, "203.0.113.9"); sso.Reason(err) != links.SSOReasonUsedToken {
				t.Fatalf("second redemption: %v", err)
			}
		}
		list, err := f.svc.Credentials(f.ctx)
		if err != nil || len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(f.clk.now()) {
			t.Fatalf("credential's last use not recorded: %+v, %v", list, err)
		}
	})
}

// A token a trusted application asked for is refused once its credential is
// revoked, even within its lifetime, and the refusal is audited as such.
func TestARevokedCredentialsTokensAreRefused(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		cred := f.newCredential(nil)
		req := links.SSOTokenRequest{ClientID: f.client.ID, Destination: links.DestinationHome}
		kept, err := f.svc.IssueForApplication(f.ctx, cred.APICredential, req, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		revoked, err := f.svc.IssueForApplication(f.ctx, cred.APICredential, req, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		// Another credential's token is not affected.
		other := f.newCredential(nil)
		otherTok, err := f.svc.IssueForApplication(f.ctx, other.APICredential, req, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Redeem(f.ctx, kept.AccessToken, "203.0.113.9"); err != nil {
			t.Fatalf("redeem before the revocation: %v", err)
		}
		if err := f.svc.RevokeCredential(f.ctx, cred.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Redeem(f.ctx, revoked.AccessToken, "203.0.113.9")
		if sso.Reason(err) != links.SSOReasonCredentialRevoked || links.ErrorCode(err) != links.EFORBIDDEN {
			t.Fatalf("redeem after the revocation: %v (reason %q), want %s", err, sso.Reason(err), links.SSOReasonCredentialRevoked)
		}
		ev := f.events()
		last := ev[len(ev)-1]
		wantEvent(t, last, links.SSOKindRedeem, links.SSOSourceAPI, links.SSORefused, links.SSOReasonCredentialRevoked)
		if idOf(last.CredentialID) != cred.ID {
			t.Fatalf("refusal event %+v", last)
		}
		// The refused token is burnt: no second try once it is refused.
		if _, err := f.svc.Redeem(f.ctx, revoked.AccessToken, "203.0.113.9"); sso.Reason(err) != links.SSOReasonUsedToken {
			t.Fatalf("second redemption: %v", err)
		}
		if _, err := f.svc.Redeem(f.ctx, otherTok.AccessToken, "203.0.113.9"); err != nil {
			t.Fatalf("another credential's token: %v", err)
		}
	})
}

func TestIssueForApplicationRefusals(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		cred := f.newCredential(nil)
		noPerm := f.newCredential([]string{})
		other := f.newClient("other")
		otherSvc := f.newService(other.ID, "other")
		member := f.addUser(f.client.ID, "dev@acme.test", []string{links.UserPermSSO})
		withoutSSO := f.addUser(f.client.ID, "books@acme.test", []string{links.UserPermInvoices})
		both := f.addUser(f.client.ID, "both@acme.test", []string{links.UserPermSSO})
		if _, err := f.st.AddClientUser(f.ctx, other.ID, links.ClientUserInput{UserID: both.ID, Permissions: []string{links.UserPermSSO}}); err != nil {
			t.Fatal(err)
		}
		cid := f.client.ID
		restore := func() {
			f.patchClient(cid, links.ClientPatch{Status: ptr(links.ClientActive), AllowSSO: ptr(true)})
		}
		cases := []struct {
			name    string
			cred    links.APICredential
			req     links.SSOTokenRequest
			setup   func()
			reason  string
			code    string
			field   string
			message string
		}{
			{name: "credential without the permission", cred: noPerm.APICredential, req: links.SSOTokenRequest{ClientID: cid, Destination: "profile"},
				reason: links.SSOReasonCredentialRevoked, code: links.EFORBIDDEN, message: "may not create SSO tokens"},
			{name: "neither client nor user", req: links.SSOTokenRequest{Destination: "profile"},
				reason: links.SSOReasonInvalidClient, code: links.EINVALID, field: "client_id", message: "give client_id and/or user_id"},
			{name: "negative id", req: links.SSOTokenRequest{ClientID: -1, Destination: "profile"},
				reason: links.SSOReasonBadRequest, code: links.EINVALID, field: "client_id", message: "positive"},
			{name: "unknown client", req: links.SSOTokenRequest{ClientID: 99999, Destination: "profile"},
				reason: links.SSOReasonInvalidClient, code: links.ENOTFOUND, field: "client_id", message: "Invalid client: client 99999 does not exist."},
			{name: "unknown user", req: links.SSOTokenRequest{ClientID: cid, UserID: 99999, Destination: "profile"},
				reason: links.SSOReasonInvalidUser, code: links.ENOTFOUND, field: "user_id", message: "user 99999 does not exist"},
			{name: "user not on client", req: links.SSOTokenRequest{ClientID: other.ID, UserID: member.ID, Destination: "profile"},
				reason: links.SSOReasonUserNotOnClient, code: links.EINVALID, field: "user_id", message: "is not on client"},
			{name: "user on several clients without client_id", req: links.SSOTokenRequest{UserID: both.ID, Destination: "profile"},
				reason: links.SSOReasonInvalidClient, code: links.EINVALID, field: "client_id", message: "give client_id"},
			{name: "user without sso", req: links.SSOTokenRequest{ClientID: cid, UserID: withoutSSO.ID, Destination: "profile"},
				reason: links.SSOReasonNoPermission, code: links.EFORBIDDEN, message: "may not perform single sign-on"},
			{name: "allow_sso off", req: links.SSOTokenRequest{ClientID: cid, Destination: "profile"},
				setup:  func() { f.patchClient(cid, links.ClientPatch{AllowSSO: ptr(false)}) },
				reason: links.SSOReasonSSODisabled, code: links.EFORBIDDEN, message: "SSO authentication blocked for client " + strconv.FormatInt(cid, 10) + "."},
			{name: "allow_sso off for a member", req: links.SSOTokenRequest{ClientID: cid, UserID: member.ID, Destination: "profile"},
				setup:  func() { f.patchClient(cid, links.ClientPatch{AllowSSO: ptr(false)}) },
				reason: links.SSOReasonSSODisabled, code: links.EFORBIDDEN, message: "SSO authentication blocked for client"},
			{name: "client closed", req: links.SSOTokenRequest{ClientID: cid, Destination: "profile"},
				setup:  func() { f.patchClient(cid, links.ClientPatch{Status: ptr(links.ClientClosed)}) },
				reason: links.SSOReasonClientClosed, code: links.EFORBIDDEN, message: "closed"},
			{name: "unknown destination", req: links.SSOTokenRequest{ClientID: cid, Destination: "nowhere"},
				reason: links.SSOReasonInvalidDestination, code: links.EINVALID, field: "destination", message: `Invalid destination "nowhere"`},
			{name: "no destination", req: links.SSOTokenRequest{ClientID: cid},
				reason: links.SSOReasonInvalidDestination, code: links.EINVALID, field: "destination", message: "Invalid destination"},
			{name: "service route without service", req: links.SSOTokenRequest{ClientID: cid, Destination: "upgrade"},
				reason: links.SSOReasonInvalidDestination, code: links.EINVALID, field: "service_id", message: "give its service_id"},
			{name: "redirect_path with a catalogue key", req: links.SSOTokenRequest{ClientID: cid, Destination: "profile", RedirectPath: "/portal"},
				reason: links.SSOReasonInvalidDestination, code: links.EINVALID, field: "redirect_path", message: "only for the custom destination"},
			{name: "redirect_path with home", req: links.SSOTokenRequest{ClientID: cid, Destination: links.DestinationHome, RedirectPath: "/portal"},
				reason: links.SSOReasonInvalidDestination, code: links.EINVALID, field: "redirect_path", message: "only for the custom destination"},
			{name: "custom without redirect_path", req: links.SSOTokenRequest{ClientID: cid, Destination: links.DestinationCustom},
				reason: links.SSOReasonInvalidDestination, code: links.EINVALID, field: "redirect_path", message: "is required"},
			{name: "another client's service", req: links.SSOTokenRequest{ClientID: cid, Destination: "billing_info", ServiceID: otherSvc.ID},
				reason: links.SSOReasonInvalidService, code: links.ENOTFOUND, field: "service_id", message: "has no service"},
			{name: "unknown service", req: links.SSOTokenRequest{ClientID: cid, Destination: "billing_info", ServiceID: 99999},
				reason: links.SSOReasonInvalidService, code: links.ENOTFOUND, field: "service_id", message: "has no service 99999"},
		}
		for _, p := range unsafeRedirectPaths {
			cases = append(cases, struct {
				name    string
				cred    links.APICredential
				req     links.SSOTokenRequest
				setup   func()
				reason  string
				code    string
				field   string
				message string
			}{name: "redirect_path " + strconv.Quote(p), req: links.SSOTokenRequest{ClientID: cid, Destination: links.DestinationCustom, RedirectPath: p},
				reason: links.SSOReasonInvalidDestination, code: links.EINVALID, field: "redirect_path", message: "Invalid destination: the redirect_path"})
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if tc.setup != nil {
					tc.setup()
				}
				defer restore()
				c := tc.cred
				if c.ID == 0 {
					c = cred.APICredential
				}
				before, tokens := len(f.events()), f.tokenCount()
				ans, err := f.svc.IssueForApplication(f.ctx, c, tc.req, "192.0.2.1")
				if ans != (links.SSOTokenAnswer{}) {
					t.Fatalf("refused issue answered %+v", ans)
				}
				r := refusal(t, err, tc.reason, tc.code)
				if r.Err.Field != tc.field || !strings.Contains(r.Err.Message, tc.message) {
					t.Fatalf("error field %q message %q, want field %q and %q", r.Err.Field, r.Err.Message, tc.field, tc.message)
				}
				if f.tokenCount() != tokens {
					t.Fatal("a refused issue stored a token")
				}
				evs := f.newEvents(before)
				if len(evs) != 1 {
					t.Fatalf("new events %+v, want the refusal", evs)
				}
				wantEvent(t, evs[0], links.SSOKindIssue, links.SSOSourceAPI, links.SSORefused, tc.reason)
				if idOf(evs[0].CredentialID) != c.ID || evs[0].IP != "192.0.2.1" {
					t.Fatalf("refusal event %+v", evs[0])
				}
			})
		}
	})
}

// Rules changed after a trusted application's issue are re-checked at the
// redemption, and the refused token is burnt.
func TestRedeemOfApplicationTokenRechecksTheUser(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		cred := f.newCredential(nil)
		member := f.addUser(f.client.ID, "dev@acme.test", []string{links.UserPermSSO, links.UserPermInvoices})
		issue := func() string {
			t.Helper()
			ans, err := f.svc.IssueForApplication(f.ctx, cred.APICredential, links.SSOTokenRequest{ClientID: f.client.ID, UserID: member.ID, Destination: "invoice_history"}, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			return ans.AccessToken
		}

		// The owner revokes the user's sso permission.
		raw := issue()
		if _, err := f.st.SetUserPermissions(f.ctx, f.client.ID, member.ID, []string{links.UserPermInvoices}); err != nil {
			t.Fatal(err)
		}
		sess, err := f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		refusal(t, err, links.SSOReasonNoPermission, links.EFORBIDDEN)
		if sess.Location != "/portal/invoices" {
			t.Fatalf("session %+v", sess)
		}
		evs := f.events()
		wantEvent(t, evs[len(evs)-1], links.SSOKindRedeem, links.SSOSourceAPI, links.SSORefused, links.SSOReasonNoPermission)
		if idOf(evs[len(evs)-1].UserID) != member.ID || idOf(evs[len(evs)-1].CredentialID) != cred.ID {
			t.Fatalf("refusal event %+v", evs[len(evs)-1])
		}
		if _, err := f.st.SetUserPermissions(f.ctx, f.client.ID, member.ID, []string{links.UserPermSSO, links.UserPermInvoices}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		refusal(t, err, links.SSOReasonUsedToken, links.EUNAUTHORIZED)

		// The account's single sign-on is switched off.
		raw = issue()
		f.patchClient(f.client.ID, links.ClientPatch{AllowSSO: ptr(false)})
		_, err = f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		refusal(t, err, links.SSOReasonSSODisabled, links.EFORBIDDEN)
		f.patchClient(f.client.ID, links.ClientPatch{AllowSSO: ptr(true)})
		_, err = f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		refusal(t, err, links.SSOReasonUsedToken, links.EUNAUTHORIZED)

		// The account is closed.
		raw = issue()
		f.patchClient(f.client.ID, links.ClientPatch{Status: ptr(links.ClientClosed)})
		_, err = f.svc.Redeem(f.ctx, raw, "203.0.113.9")
		refusal(t, err, links.SSOReasonClientClosed, links.EFORBIDDEN)
	})
}

// No SSO token, link token or API secret is stored in plain text anywhere
// in the database, nor in the audit.
func TestSecretsAreNotStoredInPlainText(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		cred := f.newCredential(nil)
		clicked := f.mustClick("profile")
		redeemed := f.mustClick("profile")
		if _, err := f.svc.Redeem(f.ctx, redeemed, "203.0.113.9"); err != nil {
			t.Fatal(err)
		}
		ans, err := f.svc.IssueForApplication(f.ctx, cred.APICredential, links.SSOTokenRequest{ClientID: f.client.ID, Destination: "profile"}, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		// A refused click with a near miss of the link token, and a guessed access token.
		_, _ = f.svc.Click(f.ctx, sso.ClickRequest{Destination: "profile", SubscriberID: f.creds.SubscriberUniqueID, Token: f.creds.Token[:len(f.creds.Token)-2] + "zz"})
		_, _ = f.svc.Redeem(f.ctx, strings.ToUpper(clicked), "203.0.113.9")

		for name, s := range map[string]string{
			"cPanel SSO token": clicked, "redeemed SSO token": redeemed, "API SSO token": ans.AccessToken,
			"link token": f.creds.Token, "near-miss link token": f.creds.Token[:len(f.creds.Token)-2] + "zz",
			"guessed access token": strings.ToUpper(clicked), "API secret": cred.Secret,
		} {
			if found := f.findPlaintext(s); len(found) != 0 {
				t.Errorf("%s stored in plain text in %v", name, found)
			}
		}
		// The hash is what is stored: the sanity check that the scan sees the table.
		if found := f.findPlaintext(f.storedToken(clicked).Hash); len(found) == 0 {
			t.Fatal("the token's hash was not found: the scan does not see sso_tokens")
		}
	})
}

func TestAuthorizePanelSession(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		member := f.addUser(f.client.ID, "dev@acme.test", []string{links.UserPermSSO, links.UserPermServices})
		noSSO := f.addUser(f.client.ID, "books@acme.test", []string{links.UserPermInvoices, links.UserPermServices})
		noServices := f.addUser(f.client.ID, "ssoonly@acme.test", []string{links.UserPermSSO})
		other := f.newClient("other")
		otherSvc := f.newService(other.ID, "other")
		account := func(userID int64) sso.Account {
			t.Helper()
			a, err := f.svc.Account(f.ctx, userID, f.client.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		for _, uid := range []int64{f.client.OwnerUserID, member.ID} {
			got, err := f.svc.AuthorizePanelSession(f.ctx, account(uid), f.service.ID, "203.0.113.9")
			if err != nil || got.ID != f.service.ID || got.Username != "acme" {
				t.Fatalf("user %d: %+v, %v", uid, got, err)
			}
		}
		if evs := f.events(); len(evs) != 0 {
			t.Fatalf("an allowed panel session is audited by PanelSession, not here: %+v", evs)
		}

		check := func(a sso.Account, serviceID int64, reason, code string) {
			t.Helper()
			before := len(f.events())
			_, err := f.svc.AuthorizePanelSession(f.ctx, a, serviceID, "203.0.113.9")
			refusal(t, err, reason, code)
			evs := f.newEvents(before)
			if len(evs) != 1 {
				t.Fatalf("events %+v", evs)
			}
			wantEvent(t, evs[0], links.SSOKindSession, links.SSOSourcePortal, links.SSORefused, reason)
			if idOf(evs[0].UserID) != a.User.ID || idOf(evs[0].ServiceID) != serviceID || evs[0].Destination != "cpanel" {
				t.Fatalf("session event %+v", evs[0])
			}
		}
		check(account(noSSO.ID), f.service.ID, links.SSOReasonNoPermission, links.EFORBIDDEN)
		// "Log in to cPanel" belongs to the service's page: services too.
		check(account(noServices.ID), f.service.ID, links.SSOReasonNoPagePermission, links.EFORBIDDEN)
		check(account(f.client.OwnerUserID), otherSvc.ID, links.SSOReasonInvalidService, links.ENOTFOUND)
		check(account(f.client.OwnerUserID), 99999, links.SSOReasonInvalidService, links.ENOTFOUND)
		f.setServiceStatus(f.service.ID, links.ServiceTerminated)
		check(account(member.ID), f.service.ID, links.SSOReasonServiceInactive, links.EFORBIDDEN)
		f.setServiceStatus(f.service.ID, links.ServiceActive)
		f.patchClient(f.client.ID, links.ClientPatch{AllowSSO: ptr(false)})
		check(account(f.client.OwnerUserID), f.service.ID, links.SSOReasonSSODisabled, links.EFORBIDDEN)

		// The pure rule the client area shows next to each service.
		c, _ := f.st.Client(f.ctx, f.client.ID)
		m, _ := f.st.Membership(f.ctx, f.client.ID, f.client.OwnerUserID)
		ok, reason, why := sso.PanelSSOAllowed(c, m, f.service, true)
		if ok || reason != links.SSOReasonSSODisabled || !strings.Contains(why, "SSO authentication blocked") {
			t.Fatalf("PanelSSOAllowed with allow_sso off: %v %q %q", ok, reason, why)
		}
		c.AllowSSO = true
		if ok, reason, _ := sso.PanelSSOAllowed(c, m, f.service, false); ok || reason != links.SSOReasonServiceInactive {
			t.Fatalf("PanelSSOAllowed on an inactive server: %v %q", ok, reason)
		}
		if ok, _, _ := sso.PanelSSOAllowed(c, m, f.service, true); !ok {
			t.Fatal("PanelSSOAllowed refuses the owner of an active service")
		}
	})
}

// The abuse limits are enforced by the HTTP layer (api/rest rateLimit, with
// Retry-After); the service holds them and maps a rate-limited error to its
// reason code.
func TestLimitsDefaultsAndRateLimitedReason(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		if f.svc.Limits() != sso.DefaultLimits {
			t.Fatalf("limits %+v, want the defaults", f.svc.Limits())
		}
		lim := sso.Limits{ClickPerIP: 5, ClickPerCredential: 1, RedeemPerIP: 2, TokenAPIPerIP: 3, TokenAPIPerCred: 4, PortalLoginPerIP: 1, Burst: 1, PerCredentialBurst: 1, PanelSessionPerUser: 1}
		if got := sso.New(f.st, sso.Config{Limits: lim}).Limits(); got != lim {
			t.Fatalf("limits %+v, want %+v", got, lim)
		}
		// A limit left zero takes its default: a zero rate would refuse all.
		partial := sso.New(f.st, sso.Config{Limits: sso.Limits{ClickPerIP: 5}}).Limits()
		want := sso.DefaultLimits
		want.ClickPerIP = 5
		if partial != want {
			t.Fatalf("partial limits %+v, want %+v", partial, want)
		}
		err := links.Errorf(links.ERATELIMITED, "Too many attempts; wait 1 seconds and try again.")
		if sso.Reason(err) != links.SSOReasonRateLimited {
			t.Fatalf("reason of a rate-limited error: %q", sso.Reason(err))
		}
		if sso.Reason(nil) != "" || sso.Reason(links.Errorf(links.EINVALID, "x")) != links.SSOReasonBadRequest ||
			sso.Reason(links.Errorf(links.EINTERNAL, "x")) != "" {
			t.Fatal("Reason of nil, EINVALID or an unexpected error")
		}
	})
}
