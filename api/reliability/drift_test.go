package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/whmsim"
)

// drifted is an account changed directly on its panel, and the phrase its
// Notice must hold.
type drifted struct {
	server *harness.FleetServer
	user   string
	kind   string
	phrase string
}

// makeDrift changes each accounts' links on the simulator, as someone
// working in the panel would: kind "deleted" removes one link, "relabelled"
// changes one link's label, "group deleted" removes the billing group.
func makeDrift(rng *rand.Rand, accts []drifted) ([]drifted, error) {
	for i := range accts {
		a := &accts[i]
		ls := a.server.Sim.Links(a.user)
		if len(ls) == 0 {
			return nil, fmt.Errorf("%s/%s has no link to drift", a.server.Name, a.user)
		}
		app := ls[rng.IntN(len(ls))].App
		var err error
		switch a.kind {
		case "deleted":
			err = a.server.Sim.RemoveLink(a.user, app)
			a.phrase = "link " + app + " missing"
		case "relabelled":
			err = a.server.Sim.EditLink(a.user, app, func(l *whmsim.Link) { l.Label = "Tampered " + a.user })
			a.phrase = "label of " + app + " is \"Tampered " + a.user + "\""
		case "group deleted":
			err = a.server.Sim.RemoveGroup(a.user, "billing")
			a.phrase = "group billing missing"
		}
		if err != nil {
			return nil, err
		}
	}
	return accts, nil
}

// verifyOnce queues a verify, waits for it and for the status to settle,
// and returns the operation and its log.
func verifyOnce(ctx context.Context, api *harness.Client) (links.OperationDetail, []links.LogEntry, error) {
	var op links.Operation
	if err := api.Do(ctx, http.MethodPost, "/api/v1/applications/cpanel/verify", nil, &op); err != nil {
		return links.OperationDetail{}, nil, err
	}
	done, err := api.WaitOperation(ctx, op.ID, 50*time.Millisecond, 3*time.Minute)
	if err != nil {
		return done, nil, err
	}
	if _, _, err := waitSettled(ctx, api, 3*time.Minute); err != nil {
		return done, nil, err
	}
	entries, err := api.LogEntries(ctx, "cpanel", "operation_id="+strconv.FormatInt(op.ID, 10))
	return done, entries, err
}

// TestDrift enables the application, then changes accounts directly on
// their panels (a link deleted, a link relabelled, the group deleted) and
// runs a verify: each changed account gets one Notice naming it and what
// differs, no other account gets one, and once the status says active
// every account is again exactly as before the changes (every stored field
// of every link and group, and its credential). A second verify finds
// nothing and pushes nothing.
func TestDrift(t *testing.T) {
	sz := gate(t)
	binary(t) // built once, before the clock starts
	for _, dialect := range dialects(t) {
		t.Run(dialect, func(t *testing.T) { runDrift(t, sz, dialect) })
	}
}

// pickDrift picks each distinct random accounts for each kind of drift
// and makes it on the simulator.
func pickDrift(rng *rand.Rand, f *harness.Fleet, each int) ([]drifted, int, error) {
	var everyone []drifted
	for _, s := range f.Servers {
		for _, u := range s.Accounts {
			everyone = append(everyone, drifted{server: s, user: u})
		}
	}
	rng.Shuffle(len(everyone), func(i, j int) { everyone[i], everyone[j] = everyone[j], everyone[i] })
	kinds := []string{"deleted", "relabelled", "group deleted"}
	picked := everyone[:len(kinds)*each]
	for i := range picked {
		picked[i].kind = kinds[i/each]
	}
	picked, err := makeDrift(rng, picked)
	return picked, len(everyone), err
}

// checkNotices checks that each drifted account got one Notice naming it,
// its server and what differed, and no other account got one; it returns
// the accounts found by kind and the Notices about untouched accounts.
func checkNotices(picked []drifted, entries []links.LogEntry) (map[string]int, int, []string) {
	var problems []string
	notices, warnings := noticesByAccount(entries)
	if warnings > 0 {
		problems = append(problems, fmt.Sprintf("%d warnings", warnings))
	}
	found := map[string]int{}
	for _, d := range picked {
		ns := notices[d.user]
		switch {
		case len(ns) != 1:
			problems = append(problems, fmt.Sprintf("%s (%s): %d notices", d.user, d.kind, len(ns)))
		case !strings.Contains(ns[0], d.server.Name) || !strings.Contains(ns[0], d.phrase):
			problems = append(problems, fmt.Sprintf("%s (%s): notice %q does not say %q on %s", d.user, d.kind, ns[0], d.phrase, d.server.Name))
		default:
			found[d.kind]++
		}
		delete(notices, d.user)
	}
	for u, ns := range notices {
		problems = append(problems, fmt.Sprintf("untouched account %s got a notice: %s", u, ns[0]))
	}
	return found, len(notices), problems
}

// restoredCount compares every account with its snapshot before the
// drift.
func restoredCount(before, after map[string]whmsim.AccountState) (int, []string) {
	restored := 0
	var problems []string
	for k, a := range before {
		if reflect.DeepEqual(a, after[k]) {
			restored++
		} else if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf("%s differs after the repair: %+v, was %+v", k, after[k], a))
		}
	}
	return restored, problems
}

// quietVerify runs a second verify, which must find nothing and push
// nothing; it returns the operation, the accounts noticed and the
// simulator's read and push calls during it.
func quietVerify(ctx context.Context, api *harness.Client, f *harness.Fleet) (links.OperationDetail, int, int64, int64, error) {
	for _, s := range f.Servers {
		s.Sim.ResetStats()
	}
	again, entries, err := verifyOnce(ctx, api)
	if err != nil {
		return again, 0, 0, 0, err
	}
	notices, _ := noticesByAccount(entries)
	var pushes, reads int64
	for _, s := range f.Servers {
		calls := s.Sim.Stats().Calls
		pushes += calls["create_integration_link"] + calls["create_integration_group"] + calls["remove_integration_link"] + calls["update_integration_link_token"]
		reads += calls["list_integration_links"]
	}
	return again, len(notices), reads, pushes, nil
}

func runDrift(t *testing.T, sz size, dialect string) {
	start := time.Now()
	ctx := context.Background()
	st, _, api := enabledStack(t, dialect, harness.FleetPlan{Servers: sz.driftServers, AccountsPerServer: sz.driftAccounts,
		Faults: func(int) whmsim.Faults {
			return whmsim.Faults{Latency: 10 * time.Millisecond, Jitter: 10 * time.Millisecond}
		}}, 0, nil)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 13))
	t.Logf("seed %d", seed)
	apps, err := api.DesiredApps(ctx, "cpanel")
	if err != nil {
		t.Fatal(err)
	}
	creds := seededCredentials(st.fleet)
	if c := checkAccounts(st.fleet, apps, all, creds); c.bad > 0 {
		t.Fatalf("after the enable: %d accounts not exact, e.g. %v", c.bad, c.examples)
	}
	before := snapshot(st.fleet)
	picked, total, err := pickDrift(rng, st.fleet, sz.driftEach)
	if err != nil {
		t.Fatal(err)
	}
	done, entries, err := verifyOnce(ctx, api)
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	if done.State != links.OpCompleted || done.AccountsFailed != 0 {
		problems = append(problems, fmt.Sprintf("verify ended %s with %d failed", done.State, done.AccountsFailed))
	}
	found, untouched, p := checkNotices(picked, entries)
	problems = append(problems, p...)
	restored, p := restoredCount(before, snapshot(st.fleet))
	problems = append(problems, p...)
	c := checkAccounts(st.fleet, apps, all, creds)
	if c.bad > 0 {
		problems = append(problems, fmt.Sprintf("%d accounts not exact after the repair, e.g. %v", c.bad, c.examples))
	}
	again, noticed, reads, pushes, err := quietVerify(ctx, api, st.fleet)
	if err != nil {
		t.Fatal(err)
	}
	if again.State != links.OpCompleted || noticed != 0 || pushes != 0 {
		problems = append(problems, fmt.Sprintf("second verify: %s, %d accounts noticed, %d pushes", again.State, noticed, pushes))
	}
	outcome := "ok"
	if len(problems) > 0 {
		outcome = "**FAILED**: " + strings.Join(problems, "; ")
		t.Error(strings.Join(problems, "; "))
	}
	record("Drift",
		fmt.Sprintf("%s, %d servers x %d accounts (%d), simulated latency 10-20 ms. The application enabled and every account exact; then, directly on the simulated panels (not through the WHM API), %d random accounts lost one link, %d had one link relabelled and %d lost the billing group. Then `POST /api/v1/applications/cpanel/verify`. Seed %d.",
			dialect, sz.driftServers, sz.driftAccounts, total, sz.driftEach, sz.driftEach, sz.driftEach, seed),
		"",
		"| check | result |",
		"|---|---|",
		fmt.Sprintf("| verify operation | %s, %d of %d accounts done, %d failed |", done.State, done.AccountsDone, done.AccountsTotal, done.AccountsFailed),
		fmt.Sprintf("| Notices naming the account, its server and what differed | deleted link: %d of %d; relabelled link: %d of %d; deleted group: %d of %d |",
			found["deleted"], sz.driftEach, found["relabelled"], sz.driftEach, found["group deleted"], sz.driftEach),
		fmt.Sprintf("| Notices for untouched accounts | %d |", untouched),
		fmt.Sprintf("| accounts as before the drift once active (every stored field of every link and group) | %d of %d |", restored, total),
		fmt.Sprintf("| accounts exact with their own credential (subscriber id, token) | %d of %d |", c.checked-c.bad, c.checked),
		fmt.Sprintf("| second verify | %s, %d accounts noticed, %d list_integration_links calls, %d pushes |", again.State, noticed, reads, pushes),
		fmt.Sprintf("| outcome | %s |", outcome))
	record("Drift", "", runTime(start), "")
}

// noticesByAccount returns the Notices about an account ("Account <user>
// on server ..."), by user, and the number of warnings.
func noticesByAccount(entries []links.LogEntry) (map[string][]string, int) {
	out := map[string][]string{}
	warnings := 0
	for _, e := range entries {
		switch e.Level {
		case links.LevelWarning:
			warnings++
		case links.LevelNotice:
			if f := strings.Fields(e.Message); len(f) > 1 && f[0] == "Account" {
				out[f[1]] = append(out[f[1]], e.Message)
			}
		}
	}
	return out, warnings
}
