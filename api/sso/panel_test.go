package sso_test

import (
	"context"
	"errors"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// sessionPanel is a cPanel panel type whose CreateSession answers url, or
// fails with err; the rest of links.Panel is never called here.
type sessionPanel struct {
	links.Panel
	url string
	err error
}

func (p *sessionPanel) Module() string { return links.ModuleCPanel }

func (p *sessionPanel) CreateSession(_ context.Context, conn links.ServerConn, username string) (string, error) {
	if p.err != nil {
		return "", p.err
	}
	return p.url + "?user=" + username + "&host=" + conn.Hostname, nil
}

func TestPanelSession(t *testing.T) {
	panel := &sessionPanel{url: "https://cp1.example.com:2083/cpsess1/login/"}
	each(t, sso.Config{Panels: []links.Panel{panel}}, func(t *testing.T, f *fixture) {
		a, err := f.svc.Account(f.ctx, f.client.OwnerUserID, f.client.ID)
		if err != nil {
			t.Fatal(err)
		}
		open := func(want string) links.SSOEvent {
			t.Helper()
			before := len(f.events())
			u, err := f.svc.PanelSession(f.ctx, a, f.service.ID, "203.0.113.9")
			if want == "" {
				if links.ErrorCode(err) != links.EUNAVAILABLE || u != "" {
					t.Fatalf("failed panel: %q, %v; want unavailable", u, err)
				}
			} else if err != nil || u != want {
				t.Fatalf("session %q, %v; want %q", u, err, want)
			}
			evs := f.newEvents(before)
			if len(evs) != 1 || idOf(evs[0].ServerID) != f.server.ID || idOf(evs[0].ServiceID) != f.service.ID || evs[0].IP != "203.0.113.9" {
				t.Fatalf("events %+v", evs)
			}
			return evs[0]
		}

		ev := open(panel.url + "?user=acme&host=cp1.example.com")
		wantEvent(t, ev, links.SSOKindSession, links.SSOSourcePortal, links.SSOSuccess, "")

		panel.err = errors.New("cpanel said no")
		ev = open("")
		wantEvent(t, ev, links.SSOKindSession, links.SSOSourcePortal, links.SSORefused, links.SSOReasonPanelError)
		panel.err = nil
	})
}

func TestPanelSessionWithoutPanelType(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		a, err := f.svc.Account(f.ctx, f.client.OwnerUserID, f.client.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.PanelSession(f.ctx, a, f.service.ID, "203.0.113.9"); links.ErrorCode(err) != links.EUNAVAILABLE {
			t.Fatalf("no panel type: %v, want unavailable", err)
		}
		evs := f.events()
		if len(evs) != 1 {
			t.Fatalf("events %+v", evs)
		}
		wantEvent(t, evs[0], links.SSOKindSession, links.SSOSourcePortal, links.SSORefused, links.SSOReasonPanelError)
	})
}
