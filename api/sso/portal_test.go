package sso_test

import (
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

func TestLoginIsGenericOnEveryFailure(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		u, err := f.svc.Login(f.ctx, "  OWNER@acme.test ", "password123")
		if err != nil || u.ID != f.client.OwnerUserID {
			t.Fatalf("login: %+v, %v", u, err)
		}
		for _, tc := range []struct{ email, password string }{
			{"owner@acme.test", "password124"},
			{"owner@acme.test", ""},
			{"nobody@acme.test", "password123"},
			{"", "password123"},
			{"owner@acme.test", strings.Repeat("p", 73)},
			{strings.Repeat("a", 250) + "@x.test", "password123"},
		} {
			_, err := f.svc.Login(f.ctx, tc.email, tc.password)
			if links.ErrorCode(err) != links.EUNAUTHORIZED || links.ErrorMessage(err) != "The e-mail address or password is incorrect." {
				t.Fatalf("login %q: %v, want the one generic EUNAUTHORIZED", tc.email, err)
			}
		}
	})
}

func TestAccountPicksTheCurrentClient(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		other := f.newClient("other")
		if _, err := f.st.AddClientUser(f.ctx, other.ID, links.ClientUserInput{UserID: f.client.OwnerUserID, Permissions: []string{links.UserPermInvoices}}); err != nil {
			t.Fatal(err)
		}
		a, err := f.svc.Account(f.ctx, f.client.OwnerUserID, 0)
		if err != nil || len(a.Clients) != 2 || a.Current.ID != f.client.ID || !a.Membership.Owner || a.User.ID != f.client.OwnerUserID {
			t.Fatalf("default account: %+v, %v", a, err)
		}
		a, err = f.svc.Account(f.ctx, f.client.OwnerUserID, other.ID)
		if err != nil || a.Current.ID != other.ID || a.Membership.Owner || a.Membership.Has(links.UserPermSSO) {
			t.Fatalf("account on the other client: %+v, %v", a, err)
		}
		lonely := f.newClient("lonely")
		if _, err := f.svc.Account(f.ctx, f.client.OwnerUserID, lonely.ID); err != sso.ErrNoSession {
			t.Fatalf("a client the user is not on: %v, want ErrNoSession", err)
		}
		if _, err := f.svc.Account(f.ctx, 99999, 0); err != sso.ErrNoSession {
			t.Fatalf("unknown user: %v, want ErrNoSession", err)
		}
	})
}
