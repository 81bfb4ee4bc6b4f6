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

func runDrift(t *testing.T, sz size, dialect string) {
	start := time.Now()
	ctx := context.Background()
	st := newStack(t, dialect, harness.FleetPlan{Servers: sz.driftServers, AccountsPerServer: sz.driftAccounts,
		Faults: func(int) whmsim.Faults {
			return whmsim.Faults{Latency: 10 * time.Millisecond, Jitter: 10 * time.Millisecond}
		}})
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 13))
	t.Logf("seed %d", seed)
	svc := st.start(0, nil)
	api := st.client(svc)
	op, err := api.Queue(ctx, "cpanel", "enable")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.WaitOperation(ctx, op.ID, 50*time.Millisecond, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	apps, err := api.DesiredApps(ctx, "cpanel")
	if err != nil {
		t.Fatal(err)
	}
	creds := seededCredentials(st.fleet)
	if c := checkAccounts(st.fleet, apps, all, creds); c.bad > 0 {
		t.Fatalf("after the enable: %d accounts not exact, e.g. %v", c.bad, c.examples)
	}
	before := snapshot(st.fleet)

	// Distinct random accounts for each kind of drift.
	var everyone []drifted
	for _, s := range st.fleet.Servers {
		for _, u := range s.Accounts {
			everyone = append(everyone, drifted{server: s, user: u})
		}
	}
	rng.Shuffle(len(everyone), func(i, j int) { everyone[i], everyone[j] = everyone[j], everyone[i] })
	kinds := []string{"deleted", "relabelled", "group deleted"}
	picked := everyone[:len(kinds)*sz.driftEach]
	for i := range picked {
		picked[i].kind = kinds[i/sz.driftEach]
	}
	picked, err = makeDrift(rng, picked)
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
	after := snapshot(st.fleet)
	restored := 0
	for k, a := range before {
		if reflect.DeepEqual(a, after[k]) {
			restored++
		} else if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf("%s differs after the repair: %+v, was %+v", k, after[k], a))
		}
	}
	c := checkAccounts(st.fleet, apps, all, creds)
	if c.bad > 0 {
		problems = append(problems, fmt.Sprintf("%d accounts not exact after the repair, e.g. %v", c.bad, c.examples))
	}

	// A second verify finds nothing and pushes nothing.
	for _, s := range st.fleet.Servers {
		s.Sim.ResetStats()
	}
	again, entries2, err := verifyOnce(ctx, api)
	if err != nil {
		t.Fatal(err)
	}
	notices2, _ := noticesByAccount(entries2)
	var pushes, reads int64
	for _, s := range st.fleet.Servers {
		calls := s.Sim.Stats().Calls
		pushes += calls["create_integration_link"] + calls["create_integration_group"] + calls["remove_integration_link"] + calls["update_integration_link_token"]
		reads += calls["list_integration_links"]
	}
	if again.State != links.OpCompleted || len(notices2) != 0 || pushes != 0 {
		problems = append(problems, fmt.Sprintf("second verify: %s, %d accounts noticed, %d pushes", again.State, len(notices2), pushes))
	}
	outcome := "ok"
	if len(problems) > 0 {
		outcome = "**FAILED**: " + strings.Join(problems, "; ")
		t.Error(strings.Join(problems, "; "))
	}
	total := len(everyone)
	record("Drift",
		fmt.Sprintf("%s, %d servers x %d accounts (%d), simulated latency 10-20 ms. The application enabled and every account exact; then, directly on the simulated panels (not through the WHM API), %d random accounts lost one link, %d had one link relabelled and %d lost the billing group. Then `POST /api/v1/applications/cpanel/verify`. Seed %d.",
			dialect, sz.driftServers, sz.driftAccounts, total, sz.driftEach, sz.driftEach, sz.driftEach, seed),
		"",
		"| check | result |",
		"|---|---|",
		fmt.Sprintf("| verify operation | %s, %d of %d accounts done, %d failed |", done.State, done.AccountsDone, done.AccountsTotal, done.AccountsFailed),
		fmt.Sprintf("| Notices naming the account, its server and what differed | deleted link: %d of %d; relabelled link: %d of %d; deleted group: %d of %d |",
			found["deleted"], sz.driftEach, found["relabelled"], sz.driftEach, found["group deleted"], sz.driftEach),
		fmt.Sprintf("| Notices for untouched accounts | %d |", len(notices)),
		fmt.Sprintf("| accounts as before the drift once active (every stored field of every link and group) | %d of %d |", restored, total),
		fmt.Sprintf("| accounts exact with their own credential (subscriber id, token) | %d of %d |", c.checked-c.bad, c.checked),
		fmt.Sprintf("| second verify | %s, %d accounts noticed, %d list_integration_links calls, %d pushes |", again.State, len(notices2), reads, pushes),
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
