package sso_test

import (
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

func TestAuthenticateApplicationAuditsRefusals(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		c := f.newCredential(nil)
		got, err := f.svc.AuthenticateApplication(f.ctx, c.Identifier, c.Secret, "203.0.113.9")
		if err != nil || got.ID != c.ID {
			t.Fatalf("good credential: %+v, %v", got, err)
		}
		if evs := f.events(); len(evs) != 0 {
			t.Fatalf("a good credential is not an event: %+v", evs)
		}
		_, err = f.svc.AuthenticateApplication(f.ctx, c.Identifier, c.Secret[:40]+"AAA", "203.0.113.9")
		refusal(t, err, links.SSOReasonBadCredentials, links.EUNAUTHORIZED)
		evs := f.events()
		if len(evs) != 1 || evs[0].IP != "203.0.113.9" {
			t.Fatalf("events %+v", evs)
		}
		wantEvent(t, evs[0], links.SSOKindIssue, links.SSOSourceAPI, links.SSORefused, links.SSOReasonBadCredentials)
	})
}
