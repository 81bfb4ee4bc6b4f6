package rest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// The services list and a service carry the link state of the account, as
// the running engine left it: up to date, failed with the panel's error,
// pending after a rotation the panel cannot confirm, none for an account
// that gets no links, held on a deactivated server.
func TestServicesCarryTheirLinkState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, srv := provEnv(t, st)
		if err := srv.SetFaults(whmsim.Faults{RefuseAccounts: []string{"acct2"}}); err != nil {
			t.Fatal(err)
		}
		serverID := e.addSimServer(srv)
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/enable", nil, http.StatusAccepted, nil)
		if status := e.waitState("cpanel", links.StateActive); status.AccountsFailed != 1 {
			t.Fatalf("status = %+v, want one account failed", status)
		}
		var list rest.List[rest.ServiceAnswer]
		e.staff(http.MethodGet, "/api/v1/services?per_page=200", nil, http.StatusOK, &list)
		byUser := map[string]rest.ServiceAnswer{}
		for _, s := range list.Items {
			byUser[s.Username] = s
		}
		if ls := byUser["acct1"].LinkState; ls.State != links.LinkUpToDate || ls.ConfirmedAt == nil || ls.LastError != "" {
			t.Fatalf("acct1 = %+v", ls)
		}
		if ls := byUser["acct2"].LinkState; ls.State != links.LinkFailed || ls.Attempts < 1 || !strings.Contains(ls.LastError, "acct2") {
			t.Fatalf("acct2 = %+v", ls)
		}

		var gone links.Service
		e.staff(http.MethodPost, "/api/v1/services", map[string]any{"client_id": byUser["acct1"].ClientID, "server_id": serverID,
			"username": "gone", "domain": "gone.example.test", "status": "Terminated"}, http.StatusCreated, &gone)
		var one rest.ServiceAnswer
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services/%d", gone.ID), nil, http.StatusOK, &one)
		if one.LinkState.State != links.LinkNone || one.Username != "gone" {
			t.Fatalf("terminated service = %+v", one)
		}

		// A rotation the panel cannot confirm leaves acct3 pending.
		if err := srv.SetFaults(whmsim.Faults{Refuse: true}); err != nil {
			t.Fatal(err)
		}
		acct3 := byUser["acct3"].ID
		e.staff(http.MethodPost, fmt.Sprintf("/api/v1/services/%d/rotate-link-secret", acct3), nil, http.StatusAccepted, nil)
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services/%d", acct3), nil, http.StatusOK, &one)
		if one.LinkState.State != links.LinkPending {
			t.Fatalf("acct3 after rotation = %+v", one.LinkState)
		}
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services?server_id=%d&q=acct", serverID), nil, http.StatusOK, &list)
		for _, s := range list.Items {
			want := map[string]string{"acct1": links.LinkUpToDate, "acct2": links.LinkFailed, "acct3": links.LinkPending, "acct4": links.LinkUpToDate}[s.Username]
			if s.LinkState.State != want {
				t.Errorf("%s: %+v, want %s", s.Username, s.LinkState, want)
			}
		}

		// Deactivated, the server is left alone: its accounts that keep
		// their links are held (not pending), and say why; acct2 has none.
		e.staff(http.MethodPatch, fmt.Sprintf("/api/v1/servers/%d", serverID), map[string]any{"active": false}, http.StatusOK, nil)
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/services?server_id=%d&q=acct", serverID), nil, http.StatusOK, &list)
		for _, s := range list.Items {
			if s.Username == "acct2" {
				if s.LinkState.State != links.LinkNone {
					t.Errorf("acct2 on a deactivated server: %+v, want none", s.LinkState)
				}
			} else if s.LinkState.State != links.LinkHeld || !strings.Contains(s.LinkState.HoldReason, "is deactivated") {
				t.Errorf("%s on a deactivated server: %+v, want held", s.Username, s.LinkState)
			}
		}
	})
}
