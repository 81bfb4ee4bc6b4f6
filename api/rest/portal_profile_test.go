package rest_test

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

func TestPortalEmailChangeNeedsThePasswordAndEnumeratesNothing(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		dev := e.addUser(e.client.ID, "dev@acme.test", []string{links.UserPermSSO})
		b := e.portalLogin(dev.Email)
		patch := func(body map[string]any) ssoResponse {
			return e.do(b, "PATCH", "/api/v1/portal/profile", body)
		}
		profile := func() links.User {
			var u links.User
			e.mustJSON(e.do(b, "GET", "/api/v1/portal/profile", nil), 200, &u)
			return u
		}
		for _, body := range []map[string]any{
			{"email": "new@acme.test"},
			{"email": "new@acme.test", "current_password": ""},
			{"email": "new@acme.test", "current_password": "wrong-password"},
		} {
			var er ssoErr
			e.mustJSON(patch(body), 400, &er)
			if er.Error.Field != "current_password" {
				t.Fatalf("%v: %+v", body, er)
			}
		}
		if u := profile(); u.Email != dev.Email {
			t.Fatalf("a refused change wrote: %+v", u)
		}

		// Taken and free answer alike: same status, same bytes.
		_, otherOwner := e.newClient("other")
		taken := patch(map[string]any{"email": otherOwner.Email, "current_password": testPassword})
		if u := profile(); u.Email != dev.Email {
			t.Fatalf("a taken e-mail was given: %+v", u)
		}
		free := patch(map[string]any{"email": "dev.new@acme.test", "current_password": testPassword})
		if taken.status != 200 || free.status != 200 || !bytes.Equal(taken.body, free.body) {
			t.Fatalf("taken %d %s, free %d %s", taken.status, taken.body, free.status, free.body)
		}
		var ans struct{ Message string }
		e.mustJSON(free, 200, &ans)
		if ans.Message != sso.MessageEmailChange {
			t.Fatalf("answer %+v", ans)
		}
		if u := profile(); u.Email != "dev.new@acme.test" {
			t.Fatalf("a free e-mail was not given: %+v", u)
		}

		// The holder's owner sees the attempt in the portal's SSO activity;
		// the one who tried sees nothing of it.
		var holderSees, devSees struct{ Items []links.SSOEvent }
		e.mustJSON(e.do(e.portalLogin(otherOwner.Email), "GET", "/api/v1/portal/sso-events", nil), 200, &holderSees)
		if len(holderSees.Items) != 1 || holderSees.Items[0].Kind != links.SSOKindEmailChange ||
			holderSees.Items[0].Reason != links.SSOReasonEmailInUse || *holderSees.Items[0].UserID != otherOwner.ID {
			t.Fatalf("the holder's owner sees %+v", holderSees.Items)
		}
		e.mustJSON(e.do(b, "GET", "/api/v1/portal/sso-events", nil), 200, &devSees)
		for _, ev := range devSees.Items {
			if ev.Kind == links.SSOKindEmailChange {
				t.Fatalf("the caller sees %+v", ev)
			}
		}
		if r := e.do(b, "PATCH", "/api/v1/portal/profile", map[string]any{"name": "Dev " + strconv.Itoa(2)}); r.status != 200 {
			t.Fatalf("a name alone: %d %s", r.status, r.body)
		}
	})
}

// Wrong current passwords count as failed sign-ins of the account: from the
// fifth in a row on, the next attempt waits (429 with Retry-After), even
// with the right password.
func TestPortalEmailChangeWrongPasswordsBackOff(t *testing.T) {
	eachSSO(t, ssoOptions{limits: sso.Limits{PortalLoginPerIP: 6000, Burst: 100}}, func(t *testing.T, e *ssoEnv) {
		b := e.portalLogin(e.owner.Email)
		for i := range 5 {
			if r := e.do(b, "PATCH", "/api/v1/portal/profile", map[string]any{"email": "x@acme.test", "current_password": "wrong-" + strconv.Itoa(i)}); r.status != 400 {
				t.Fatalf("attempt %d: %d %s", i, r.status, r.body)
			}
		}
		r := e.do(b, "PATCH", "/api/v1/portal/profile", map[string]any{"email": "x@acme.test", "current_password": testPassword})
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Fatalf("after 5 wrong passwords: %d %s", r.status, r.body)
		}
		// The sign-in of the account waits too.
		if r := e.do(e.browser(), "POST", "/api/v1/portal/login", map[string]string{"email": e.owner.Email, "password": testPassword}); r.status != 429 {
			t.Fatalf("sign-in after 5 wrong passwords: %d", r.status)
		}
	})
}
