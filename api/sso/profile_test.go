package sso_test

import (
	"errors"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

func TestAnEmailChangeNeedsTheCurrentPassword(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		dev := f.addUser(f.client.ID, "dev@acme.test", []string{links.UserPermSSO})
		change := func(email, password *string) error {
			_, err := f.svc.UpdateProfile(f.ctx, dev.ID, sso.ProfileChange{Name: ptr("Dev"), Email: email, CurrentPassword: password, IP: "203.0.113.9"})
			return err
		}
		for name, pw := range map[string]*string{"missing": nil, "empty": ptr("")} {
			var le *links.Error
			if err := change(ptr("new@acme.test"), pw); !errors.As(err, &le) || le.Code != links.EINVALID || le.Field != "current_password" {
				t.Fatalf("%s password: %v", name, err)
			}
		}
		if err := change(ptr("new@acme.test"), ptr("wrong-password")); !errors.Is(err, sso.ErrWrongPassword) {
			t.Fatalf("wrong password: %v", err)
		}
		// A near miss.
		if err := change(ptr("new@acme.test"), ptr("password123x")); !errors.Is(err, sso.ErrWrongPassword) {
			t.Fatalf("near miss: %v", err)
		}
		u, _ := f.st.User(f.ctx, dev.ID)
		if u.Email != "dev@acme.test" || u.Name != dev.Name {
			t.Fatalf("a refused change wrote: %+v", u)
		}
		msg, err := f.svc.UpdateProfile(f.ctx, dev.ID, sso.ProfileChange{Email: ptr(" New@acme.test "), CurrentPassword: ptr("password123")})
		if err != nil || msg != sso.MessageEmailChange {
			t.Fatalf("change: %q %v", msg, err)
		}
		if u, _ := f.st.User(f.ctx, dev.ID); u.Email != "new@acme.test" {
			t.Fatalf("e-mail not changed: %+v", u)
		}
		// A name alone needs no password.
		if msg, err := f.svc.UpdateProfile(f.ctx, dev.ID, sso.ProfileChange{Name: ptr("Dev Two")}); err != nil || msg != sso.MessageProfileSaved {
			t.Fatalf("name: %q %v", msg, err)
		}
	})
}

// An address in use answers exactly as a free one, keeps its holder, saves
// the rest and notes the attempt on every account of the holder.
func TestATakenEmailAnswersLikeAChangeAndTellsTheHolder(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		other := f.newClient("other")
		holder, _ := f.st.User(f.ctx, other.OwnerUserID) // owner@other.test
		if _, err := f.st.AddClientUser(f.ctx, f.client.ID, links.ClientUserInput{UserID: holder.ID, Permissions: []string{}}); err != nil {
			t.Fatal(err)
		}
		dev := f.addUser(f.client.ID, "dev@acme.test", []string{links.UserPermSSO})
		before := len(f.events())
		msg, err := f.svc.UpdateProfile(f.ctx, dev.ID, sso.ProfileChange{Name: ptr("Dev Renamed"), Email: ptr("OWNER@other.test"), CurrentPassword: ptr("password123"), IP: "203.0.113.9"})
		if err != nil || msg != sso.MessageEmailChange {
			t.Fatalf("taken: %q %v", msg, err)
		}
		u, _ := f.st.User(f.ctx, dev.ID)
		if u.Email != "dev@acme.test" || u.Name != "Dev Renamed" {
			t.Fatalf("after a taken e-mail: %+v", u)
		}
		if h, _ := f.st.User(f.ctx, holder.ID); h.Email != holder.Email {
			t.Fatalf("the holder lost the address: %+v", h)
		}
		evs := f.newEvents(before)
		if len(evs) != 2 {
			t.Fatalf("events %+v: want one on each of the holder's two accounts", evs)
		}
		seen := map[int64]bool{}
		for _, ev := range evs {
			wantEvent(t, ev, links.SSOKindEmailChange, links.SSOSourcePortal, links.SSORefused, links.SSOReasonEmailInUse)
			if idOf(ev.UserID) != holder.ID || ev.IP != "203.0.113.9" {
				t.Fatalf("event %+v", ev)
			}
			seen[idOf(ev.ClientID)] = true
		}
		if !seen[f.client.ID] || !seen[other.ID] {
			t.Fatalf("events on %v", seen)
		}
	})
}
