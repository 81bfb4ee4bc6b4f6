package sso_test

import (
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// A trusted application asking to sign a user in to a page the user may not
// open is refused at once, with the reason; the owner is never refused.
func TestIssueForApplicationChecksThePagePermission(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		cred := f.newCredential(nil)
		tech := f.addUser(f.client.ID, "tech@acme.test", []string{links.UserPermSSO, links.UserPermServices, links.UserPermTickets})
		issue := func(userID int64, dest, redirect string, serviceID int64) error {
			_, err := f.svc.IssueForApplication(f.ctx, cred.APICredential, links.SSOTokenRequest{
				ClientID: f.client.ID, UserID: userID, Destination: dest, RedirectPath: redirect, ServiceID: serviceID}, "192.0.2.1")
			return err
		}
		for _, ok := range []struct {
			dest, redirect string
			svc            int64
		}{{"ticket_history", "", 0}, {"upgrade", "", f.service.ID}, {"services", "", 0}, {"home", "", 0},
			{"profile", "", 0}, {"network_status", "", 0}, {"custom", "/portal/tickets/new", 0}} {
			if err := issue(tech.ID, ok.dest, ok.redirect, ok.svc); err != nil {
				t.Fatalf("%s %s: %v", ok.dest, ok.redirect, err)
			}
		}
		for _, no := range []struct{ dest, redirect string }{
			{"invoice_history", ""}, {"manage_billing", ""}, {"email_history", ""}, {"register_domain", ""},
			{"custom", "/portal/Invoices?x=1"}, {"custom", "/portal/x/../billing"},
		} {
			before := len(f.events())
			r := refusal(t, issue(tech.ID, no.dest, no.redirect, 0), links.SSOReasonNoPagePermission, links.EFORBIDDEN)
			if r.Err.Message == "" {
				t.Fatal("no message")
			}
			evs := f.newEvents(before)
			if len(evs) != 1 || idOf(evs[0].UserID) != tech.ID {
				t.Fatalf("%s: events %+v", no.dest, evs)
			}
			wantEvent(t, evs[0], links.SSOKindIssue, links.SSOSourceAPI, links.SSORefused, links.SSOReasonNoPagePermission)
		}
		if err := issue(0, "invoice_history", "", 0); err != nil {
			t.Fatalf("the owner holds every permission: %v", err)
		}
	})
}

// Redemption re-checks the page permission: one revoked in the seconds
// between issue and redemption refuses the sign-in, and the token is burnt.
func TestRedeemRechecksThePagePermission(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		cred := f.newCredential(nil)
		books := f.addUser(f.client.ID, "books@acme.test", []string{links.UserPermSSO, links.UserPermInvoices})
		ans, err := f.svc.IssueForApplication(f.ctx, cred.APICredential, links.SSOTokenRequest{
			ClientID: f.client.ID, UserID: books.ID, Destination: "invoice_history"}, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.SetUserPermissions(f.ctx, f.client.ID, books.ID, []string{links.UserPermSSO}); err != nil {
			t.Fatal(err)
		}
		sess, err := f.svc.Redeem(f.ctx, ans.AccessToken, "203.0.113.9")
		refusal(t, err, links.SSOReasonNoPagePermission, links.EFORBIDDEN)
		if sess.Location != "/portal/invoices" {
			t.Fatalf("the refusal keeps the destination for the login page: %+v", sess)
		}
		evs := f.events()
		wantEvent(t, evs[len(evs)-1], links.SSOKindRedeem, links.SSOSourceAPI, links.SSORefused, links.SSOReasonNoPagePermission)
		_, err = f.svc.Redeem(f.ctx, ans.AccessToken, "203.0.113.9")
		refusal(t, err, links.SSOReasonUsedToken, links.EUNAUTHORIZED)

		// A cPanel click signs the owner in: every destination is open.
		for _, d := range links.Catalogue {
			if _, err := f.svc.Redeem(f.ctx, f.mustClick(d.Key), "203.0.113.9"); err != nil {
				t.Fatalf("owner's click to %s: %v", d.Key, err)
			}
		}
	})
}
