package reliability

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/whmsim"
)

// faultPlan is the fault of each simulated server in TestFaults.
var faultPlan = []struct {
	label  string
	faults whmsim.Faults
}{
	{"10% panel errors", whmsim.Faults{ErrorRate: 0.1}},
	{"10% timeouts", whmsim.Faults{TimeoutRate: 0.1}},
	{"10% HTML login pages", whmsim.Faults{HTMLRate: 0.1}},
	{"10% HTTP 500", whmsim.Faults{HTTP500Rate: 0.1}},
	{"mixed: 10% errors, 5% timeouts, 5% HTML, 5% HTTP 500", whmsim.Faults{ErrorRate: 0.1, TimeoutRate: 0.05, HTMLRate: 0.05, HTTP500Rate: 0.05}},
	{"goes down mid-run (connection refused)", whmsim.Faults{Latency: 150 * time.Millisecond}},
	{"healthy", whmsim.Faults{}},
	{"healthy", whmsim.Faults{}},
}

const downServer = 5 // index in faultPlan of the server that goes down

var (
	accountWarning = regexp.MustCompile(`^Account (\S+) on server (\S+) (was not updated|was refused)`)
	gaveUpWarning  = regexp.MustCompile(`^Gave up on server (\S+) after `)
)

// TestFaults runs an activation against servers answering with panel
// errors, timeouts, HTML pages and HTTP 500s, one of them going down in the
// middle: the run finishes, every failed account is a warning that names its
// server and the account (a server given up names each account it did not
// try), and a repair sync once the faults are gone fixes every account.
func TestFaults(t *testing.T) {
	sz := gate(t)
	dialect := mysqlOrSkip(t)
	ctx := context.Background()
	st := newStack(t, dialect, harness.FleetPlan{Servers: len(faultPlan), AccountsPerServer: sz.faultAccounts,
		Faults: func(i int) whmsim.Faults {
			f := faultPlan[i].faults
			if f.Latency == 0 {
				f.Latency = 10 * time.Millisecond
			}
			return f
		}})
	// Two accounts per batch: more WHM requests, so more injected faults.
	svc := st.start(0, map[string]string{"APPLINKS_WHM_TIMEOUT": "1s", "APPLINKS_LEASE_TTL": "5s", "APPLINKS_BATCH_SIZE": "2"})
	api := st.client(svc)

	op, err := api.Queue(ctx, "cpanel", "enable")
	if err != nil {
		t.Fatal(err)
	}
	// Take the server down once its support check is done and pushes began.
	down := st.fleet.Servers[downServer]
	wentDown := false
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline) && !wentDown; time.Sleep(10 * time.Millisecond) {
		d, err := api.Operation(ctx, op.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range d.Servers {
			if task.ServerID == down.ID && task.Checked {
				if err := down.Sim.SetFaults(whmsim.Faults{Refuse: true}); err != nil {
					t.Fatal(err)
				}
				wentDown = true
			}
		}
		if !d.Open() {
			break
		}
	}
	if !wentDown {
		t.Fatal("the server to take down was never checked")
	}
	done, err := api.WaitOperation(ctx, op.ID, 100*time.Millisecond, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Exited() {
		t.Fatal("the service exited during the faulty run")
	}
	if done.State != links.OpCompleted {
		t.Fatalf("the faulty run ended %s", done.State)
	}
	if done.AccountsDone+done.AccountsFailed != st.fleet.Accounts {
		t.Errorf("done %d + failed %d != %d accounts", done.AccountsDone, done.AccountsFailed, st.fleet.Accounts)
	}
	entries, err := api.LogEntries(ctx, "cpanel", "level=warning&operation_id="+strconv.FormatInt(op.ID, 10))
	if err != nil {
		t.Fatal(err)
	}
	servers := map[string]*harness.FleetServer{}
	for _, s := range st.fleet.Servers {
		servers[s.Name] = s
	}
	named, gaveUp, retried := 0, 0, 0
	perServer := map[string]int{}
	var unexplained []string
	for _, e := range entries {
		if m := accountWarning.FindStringSubmatch(e.Message); m != nil {
			s, ok := servers[m[2]]
			if !ok || !strings.HasPrefix(m[1], s.Name+"u") || e.ServerID == nil || *e.ServerID != s.ID || e.ServiceID == nil {
				unexplained = append(unexplained, e.Message)
				continue
			}
			if strings.Contains(e.Message, ", will retry in ") {
				retried++ // named too; the account is tried again (and counted when it ends)
				continue
			}
			named++
			perServer[s.Name]++
			continue
		}
		if m := gaveUpWarning.FindStringSubmatch(e.Message); m != nil {
			if _, ok := servers[m[1]]; ok && e.ServerID != nil {
				gaveUp++ // its accounts are named in warnings of their own
				continue
			}
		}
		unexplained = append(unexplained, e.Message)
	}
	if len(unexplained) > 0 {
		t.Errorf("%d warnings name no server and account, e.g. %q", len(unexplained), unexplained[0])
	}
	if named != done.AccountsFailed {
		t.Errorf("warnings name %d failed accounts, the operation counts %d", named, done.AccountsFailed)
	}
	injected := map[string]int64{}
	for _, s := range st.fleet.Servers {
		for k, v := range s.Sim.Stats().Injected {
			injected[k] += v
		}
	}

	// Repair: the faults are gone, the server is back.
	for _, s := range st.fleet.Servers {
		if err := s.Sim.SetFaults(whmsim.Faults{}); err != nil {
			t.Fatal(err)
		}
	}
	repair, err := api.Queue(ctx, "cpanel", "sync")
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := api.WaitOperation(ctx, repair.ID, 100*time.Millisecond, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	problems := checkOperation(ctx, t, api, st.fleet, fixed)
	apps, err := api.DesiredApps(ctx, "cpanel")
	if err != nil {
		t.Fatal(err)
	}
	checked, bad, mism := harness.VerifyLinks(st.fleet, apps, 1)
	if bad > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d accounts without the desired links, e.g. %v", bad, checked, mism))
	}
	for _, p := range problems {
		t.Errorf("repair: %s", p)
	}
	outcome := "every account fixed"
	if len(problems) > 0 {
		outcome = "**FAILED**: " + strings.Join(problems, "; ")
	}
	lines := []string{
		fmt.Sprintf("%s, %d servers x %d accounts, WHM timeout 1 s, 4 tries per request, 2 accounts per batch (more requests, more faults). One activation with the faults below, then the faults cleared and one repair sync.", dialect, len(faultPlan), sz.faultAccounts),
		"",
		"| server | fault | failed accounts named in warnings |",
		"|---|---|---:|",
	}
	for i, s := range st.fleet.Servers {
		lines = append(lines, fmt.Sprintf("| %s | %s | %d |", s.Name, faultPlan[i].label, perServer[s.Name]))
	}
	lines = append(lines, "",
		fmt.Sprintf("- Faulty run: state %s, %d accounts done, %d failed; %d warnings naming server and account of a failure (a server given up names each account it did not try), %d naming an account tried again later, %d give-up warnings, %d warnings unexplained. Faults injected by the simulator: %v.",
			done.State, done.AccountsDone, done.AccountsFailed, named, retried, gaveUp, len(unexplained), injected),
		fmt.Sprintf("- Repair sync: state %s, %d accounts done, %d failed, %d warnings; %d accounts verified in the simulator: %s.", fixed.State, fixed.AccountsDone, fixed.AccountsFailed, fixed.Warnings, checked, outcome))
	record("Panel faults", lines...)
}
