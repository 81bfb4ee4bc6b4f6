package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/whmsim"
)

// TestCrash starts the binary on MariaDB, queues provisioning runs (enable,
// repair sync, disable, in turn) and kills the process with SIGKILL at a
// random moment of each, restarts it on the same port and checks that the
// run completes with every account carrying exactly the desired links, the
// counters exact and nothing logged twice. Every fourth trial also queues a
// newer operation right after the restart, so the resumed one is
// superseded. A poller checks every settled status it sees against the
// simulator: never active (or disabled) while an account is out of date.
func TestCrash(t *testing.T) {
	sz := gate(t)
	dialect := mysqlOrSkip(t)
	ctx := context.Background()
	st := newStack(t, dialect, harness.FleetPlan{Servers: sz.crashServers, AccountsPerServer: sz.crashAccounts,
		Faults: func(int) whmsim.Faults {
			return whmsim.Faults{Latency: 10 * time.Millisecond, Jitter: 10 * time.Millisecond}
		}})
	port, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"APPLINKS_LEASE_TTL": "2s"}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)
	svc := st.start(port, env)
	api := st.client(svc)
	// The service keeps its port across restarts: one poller for all.
	poller := startStatusPoller(svc.URL, st.fleet)

	actions := []string{"enable", "sync", "disable"}
	killMax := 2 * time.Second
	var midRun, superseded, restarts int
	var rows []string
	// At least crashTrials trials, and more (up to three times as many)
	// until that many kills have landed mid-run: a kill after the end
	// proves less.
	trial := -1
	for {
		trial++
		if trial >= 3*sz.crashTrials || (trial >= sz.crashTrials && midRun >= sz.crashTrials) {
			break
		}
		action := actions[trial%len(actions)]
		op, err := api.Queue(ctx, "cpanel", action)
		if err != nil {
			t.Fatalf("trial %d: %s: %v", trial+1, action, err)
		}
		delay := time.Duration(rng.Int64N(int64(killMax)))
		time.Sleep(delay)
		before, _ := api.Operation(ctx, op.ID)
		wasOpen := before.Open()
		svc.Kill()
		restarts++
		if wasOpen {
			midRun++
		}
		svc = st.start(port, env)
		api = st.client(svc)
		final := op
		if trial%4 == 3 && action != "disable" {
			// The newest intent wins: queue a repair on top of the resumed run.
			newer, err := api.Queue(ctx, "cpanel", "sync")
			if err != nil {
				t.Fatalf("trial %d: supersede: %v", trial+1, err)
			}
			old, err := api.WaitOperation(ctx, op.ID, 50*time.Millisecond, 3*time.Minute)
			if err != nil {
				t.Fatalf("trial %d: %v", trial+1, err)
			}
			if old.State != links.OpSuperseded && old.State != links.OpCompleted {
				t.Fatalf("trial %d: the resumed operation ended %s", trial+1, old.State)
			}
			if old.State == links.OpSuperseded {
				superseded++
			}
			final = newer
		}
		done, err := api.WaitOperation(ctx, final.ID, 50*time.Millisecond, 3*time.Minute)
		if err != nil {
			t.Fatalf("trial %d: %v", trial+1, err)
		}
		if done.FinishedAt != nil && !wasOpen && final.ID == op.ID {
			// A run the kill did not interrupt tells how long one lasts:
			// aim inside the next.
			took := done.FinishedAt.Sub(done.CreatedAt)
			killMax = max(100*time.Millisecond, min(took*3/4, 10*time.Second))
		}
		problems := checkOperation(ctx, t, api, st.fleet, done)
		apps, err := api.DesiredApps(ctx, "cpanel")
		if err != nil {
			t.Fatal(err)
		}
		checked, bad, mism := harness.VerifyLinks(st.fleet, apps, 1)
		if bad > 0 {
			problems = append(problems, fmt.Sprintf("%d of %d accounts without exactly the desired links, e.g. %v", bad, checked, mism))
		}
		state := "after the end"
		if wasOpen {
			state = fmt.Sprintf("mid-run (%d/%d accounts committed)", before.AccountsDone, before.AccountsTotal)
		}
		outcome := "ok"
		if len(problems) > 0 {
			outcome = "**FAILED**: " + strings.Join(problems, "; ")
			t.Errorf("trial %d (%s): %s", trial+1, action, strings.Join(problems, "; "))
		}
		rows = append(rows, fmt.Sprintf("| %d | %s | %s | %s | %s | %d | %s |", trial+1, action, delay.Round(time.Millisecond), state,
			done.Kind, checked, outcome))
	}
	seen, untrue, example := poller.end()
	if seen == 0 {
		t.Error("the status poller checked no settled status: it proved nothing")
	}
	if untrue > 0 {
		t.Errorf("%d of %d settled statuses while an account was out of date, e.g. %s", untrue, seen, example)
	}
	rows = append(rows, "", fmt.Sprintf("Status poller (every 20 ms, through kills and restarts): %d settled statuses (active or disabled) checked against the simulator, %d while an account was out of date.", seen, untrue))
	record("Crash (kill -9)",
		fmt.Sprintf("%s, %d servers x %d accounts (%d), simulated latency 10-20 ms, lease TTL 2 s. %d trials (at least %d, and more until %d kills landed mid-run): each queues an operation, kills the process with SIGKILL after a random delay (uniform up to three quarters of the last uninterrupted run's length), restarts it on the same port and waits for the operation; every fourth trial queues a newer repair right after the restart (%d resumed operations were superseded). Killed mid-run: %d of %d. Seed %d.",
			dialect, sz.crashServers, sz.crashAccounts, sz.crashServers*sz.crashAccounts, trial, sz.crashTrials, sz.crashTrials, superseded, midRun, restarts, seed),
		"",
		"Checks per trial: the operation completes with accounts_done = accounts_total = every account and no failure; every account in the simulator carries exactly the desired apps (all enabled links and the group, or nothing after a deactivation) with its own subscriber id and token; the log holds one start and one end entry per server, one end entry for the operation, and no warning.",
		"",
		"| trial | action | kill after | killed | final operation | accounts checked | outcome |",
		"|---:|---|---:|---|---|---:|---|")
	record("Crash (kill -9)", rows...)
}

// checkOperation checks a finished operation: completed, exact counters, and
// its log: one start and one end per server, one end of the operation, no
// warning.
func checkOperation(ctx context.Context, t *testing.T, api *harness.Client, f *harness.Fleet, op links.OperationDetail) []string {
	t.Helper()
	var problems []string
	if op.State != links.OpCompleted {
		problems = append(problems, "operation ended "+op.State)
	}
	if op.AccountsFailed != 0 || op.AccountsDone != f.Accounts || op.AccountsTotal != f.Accounts {
		problems = append(problems, fmt.Sprintf("counters done %d failed %d total %d, want %d done", op.AccountsDone, op.AccountsFailed, op.AccountsTotal, f.Accounts))
	}
	entries, err := api.LogEntries(ctx, "cpanel", "operation_id="+strconv.FormatInt(op.ID, 10))
	if err != nil {
		return append(problems, "log: "+err.Error())
	}
	starts, ends := map[string]int{}, map[string]int{}
	opEnds, warnings := 0, 0
	for _, e := range entries {
		switch {
		case e.Level == links.LevelWarning:
			warnings++
		case strings.HasPrefix(e.Message, "Finished server "):
			ends[strings.Fields(e.Message)[2]]++
		case strings.HasPrefix(e.Message, "Started ") && strings.Contains(e.Message, " of server "):
			name := strings.Fields(e.Message[strings.Index(e.Message, " of server ")+len(" of server "):])[0]
			starts[name]++
		case strings.HasPrefix(e.Message, "Finished "):
			opEnds++
		}
	}
	for _, s := range f.Servers {
		if starts[s.Name] != 1 || ends[s.Name+":"] != 1 {
			problems = append(problems, fmt.Sprintf("server %s logged %d starts and %d ends", s.Name, starts[s.Name], ends[s.Name+":"]))
		}
	}
	if opEnds != 1 {
		problems = append(problems, fmt.Sprintf("%d end entries for the operation", opEnds))
	}
	if warnings != 0 {
		problems = append(problems, fmt.Sprintf("%d warnings", warnings))
	}
	return problems
}
