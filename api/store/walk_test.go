package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// The walk computes desired fingerprints and selects the out-of-date
// locations in SQL; it must agree with the domain's rules (links.DesiredFP,
// links.OutOfDate) on every kind of location, in both dialects.
func TestWalkAgreesWithTheDesiredState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		b := newServer(t, s, "cp2", "cp2.example.com", true)
		c := newClient(t, s, "walk@acme.test")
		enabled := links.App{Enabled: true, FP: "app"}
		// Four of every kind of location, each in another confirmed state
		// against what the enabled application wants: at it, elsewhere,
		// terminal at it, at an older credential version.
		states := []func(want string) (confirmed, failed string){
			func(want string) (string, string) { return want, "" },
			func(string) (string, string) { return "other:1", "" },
			func(want string) (string, string) { return "other:1", links.FailedMark(want) },
			func(string) (string, string) { return "app:0", "" },
		}
		for j, state := range states {
			walkLocations(t, s, c.ID, a.ID, b.ID, fmt.Sprint(j))
			for _, st := range walkAll(t, s, enabled.Walk(a.ID, links.SelectAll), 100) {
				if strings.HasSuffix(st.Username, fmt.Sprint(j)) {
					confirmed, failed := state(enabled.DesiredAt(st))
					execSQL(t, s, "UPDATE link_states SET confirmed_fp = ?, failed_fp = ? WHERE server_id = ? AND username = ?",
						confirmed, failed, a.ID, st.Username)
				}
			}
		}
		for _, app := range []links.App{enabled, {Enabled: false, FP: "app"}} {
			checkWalk(t, s, app, a.ID)
		}
		// A pass at its done generation drops the empty locations no
		// service owns; those that still carry links stay to be cleaned.
		if ok, err := s.ClaimServer(context.Background(), a.ID, "me", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		wanted, _, _ := gens(t, s, a.ID)
		before := len(page(t, s, a.ID))
		if _, err := s.RecordBatch(context.Background(), time.Minute, links.BatchRecord{ServerID: a.ID, Owner: "me", DoneGen: wanted}); err != nil {
			t.Fatal(err)
		}
		left := page(t, s, a.ID)
		for _, name := range []string{"moved0", "gone0"} {
			if _, ok := left[name]; ok {
				t.Errorf("the empty location %s was not dropped", name)
			}
		}
		if len(left) != before-2 || left["moved1"].ConfirmedFP != "other:1" {
			t.Errorf("locations after the pass = %+v, want moved1 kept", left)
		}
	})
}

// walkLocations makes one location of every kind on server a, their
// usernames ending in suffix: a service in each status, with a rotated
// credential, with a version below 1, moved to server b, deleted.
func walkLocations(t *testing.T, s *store.Store, clientID, a, b int64, suffix string) {
	t.Helper()
	ctx := context.Background()
	for _, st := range links.ServiceStatuses {
		newService(t, s, clientID, a, strings.ToLower(st)+suffix, st)
	}
	rotated := newService(t, s, clientID, a, "rotated"+suffix, links.ServiceActive)
	execSQL(t, s, "UPDATE link_credentials SET version = 7 WHERE service_id = ?", rotated.ID)
	zero := newService(t, s, clientID, a, "zero"+suffix, links.ServiceActive)
	execSQL(t, s, "UPDATE link_credentials SET version = 0 WHERE service_id = ?", zero.ID)
	moved := newService(t, s, clientID, a, "moved"+suffix, links.ServiceActive)
	if _, _, err := s.UpdateService(ctx, moved.ID, links.ServicePatch{ServerID: &b}); err != nil {
		t.Fatal(err)
	}
	gone := newService(t, s, clientID, a, "gone"+suffix, links.ServiceActive)
	if _, err := s.DeleteService(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
}

// checkWalk checks every selection of the server's walk for app against
// the domain's rules, read in pages of 3.
func checkWalk(t *testing.T, s *store.Store, app links.App, serverID int64) {
	t.Helper()
	all := walkAll(t, s, app.Walk(serverID, links.SelectAll), 3)
	var outOfDate, confirmed []string
	for _, st := range all {
		if want := app.DesiredAt(st); st.Desired != want {
			t.Errorf("enabled %v: %s desired %q, want %q", app.Enabled, st.Username, st.Desired, want)
		}
		if links.OutOfDate(st.Desired, st.ConfirmedFP, st.FailedFP) {
			outOfDate = append(outOfDate, st.Username)
		}
		if st.ServiceID != nil && st.Desired == st.ConfirmedFP {
			confirmed = append(confirmed, st.Username)
		}
	}
	for sel, want := range map[links.Selection][]string{links.SelectOutOfDate: outOfDate, links.SelectConfirmed: confirmed} {
		w := app.Walk(serverID, sel)
		var got []string
		for _, st := range walkAll(t, s, w, 3) {
			got = append(got, st.Username)
		}
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("enabled %v, selection %d: %v, want %v", app.Enabled, sel, got, want)
		}
		if n, err := s.CountWalk(context.Background(), w); err != nil || n != len(want) {
			t.Errorf("enabled %v, selection %d: count %d, %v; want %d", app.Enabled, sel, n, err, len(want))
		}
	}
}

// walkAll reads a walk to its end in pages of size.
func walkAll(t *testing.T, s *store.Store, w links.Walk, size int) []links.LinkState {
	t.Helper()
	var out []links.LinkState
	for after := ""; ; {
		page, err := s.LinkStatePage(context.Background(), w, after, size)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < size {
			return out
		}
		after = page[len(page)-1].Username
	}
}
