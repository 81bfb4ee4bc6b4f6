package reliability

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/whmsim"
)

// addJob is one request of a bulk add: one service (POST /api/v1/services)
// or a batch of them (PUT /api/v1/services:batch).
type addJob struct {
	single *links.ServiceInput
	batch  []links.ServiceBatchItem
}

// addAccount is one simulated account to become a service.
type addAccount struct {
	server *harness.FleetServer
	user   string
	client int64
}

// addJobs cuts accounts into requests: groups of ten created one at a time
// alternate with batches of ten.
func addJobs(accts []addAccount) []addJob {
	var jobs []addJob
	for i := 0; i < len(accts); i += 10 {
		group := accts[i:min(i+10, len(accts))]
		if (i/10)%2 == 0 {
			for _, a := range group {
				jobs = append(jobs, addJob{single: &links.ServiceInput{ClientID: a.client, ServerID: a.server.ID, Username: a.user,
					Domain: a.user + ".example.test", Status: links.ServiceActive, ExternalID: "svc-" + a.user}})
			}
			continue
		}
		var items []links.ServiceBatchItem
		for _, a := range group {
			items = append(items, links.ServiceBatchItem{ExternalID: "svc-" + a.user, ClientID: a.client, ServerID: a.server.ID,
				Username: a.user, Domain: a.user + ".example.test", Status: links.ServiceActive})
		}
		jobs = append(jobs, addJob{batch: items})
	}
	return jobs
}

// sendAddJob sends one job until it is answered: a transport error (the
// process is down) is retried every 50 ms for up to two minutes. A single
// creation answered 409 on a retry had been committed before the kill; a
// batch is an upsert by external id, so its retry answers unchanged.
func sendAddJob(ctx context.Context, api *harness.Client, j addJob, retries *atomic.Int64) error {
	deadline := time.Now().Add(2 * time.Minute)
	for attempt := 1; ; attempt++ {
		var err error
		if j.single != nil {
			err = api.Do(ctx, http.MethodPost, "/api/v1/services", j.single, nil)
		} else {
			var res links.BatchResult
			err = api.Do(ctx, http.MethodPut, "/api/v1/services:batch", j.batch, &res)
			if err == nil && (!res.Applied || res.Errors != 0) {
				return fmt.Errorf("batch of %s: applied %v, %d errors: %+v", j.batch[0].Username, res.Applied, res.Errors, res.Items)
			}
		}
		var ae *harness.APIError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ae) && ae.Status == http.StatusConflict && j.single != nil && attempt > 1:
			return nil
		case errors.As(err, &ae):
			return fmt.Errorf("attempt %d: %w", attempt, err)
		case time.Now().After(deadline):
			return err
		}
		retries.Add(1)
		time.Sleep(50 * time.Millisecond)
	}
}

// runAdders sends the jobs from four concurrent API clients and returns
// the first error.
func runAdders(ctx context.Context, api *harness.Client, jobs []addJob, retries *atomic.Int64) error {
	ch := make(chan addJob)
	var first atomic.Value
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for j := range ch {
				if first.Load() != nil {
					continue
				}
				if err := sendAddJob(ctx, api, j, retries); err != nil {
					first.CompareAndSwap(nil, err)
				}
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	if err, ok := first.Load().(error); ok {
		return err
	}
	return nil
}

// TestCrashBulkAdd enables the application on MariaDB with no service yet,
// then turns the simulated accounts into services through the API, chunk
// by chunk (groups created one at a time alternate with services:batch
// requests, from four API clients), and kills the process with SIGKILL at a
// random moment of each chunk: while the services are being created or
// while their links are being pushed. After the restart the clients send
// again what was not answered; once the status says active, every account
// created so far carries exactly the desired links with its own
// credential, every other account nothing.
func TestCrashBulkAdd(t *testing.T) {
	sz := gate(t)
	binary(t) // built once, before the clock starts
	start := time.Now()
	dialect := mysqlOrSkip(t)
	ctx := context.Background()
	port, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"APPLINKS_LEASE_TTL": "2s"}
	st, svc, api := enabledStack(t, dialect, harness.FleetPlan{Servers: sz.addServers, AccountsPerServer: sz.addAccounts, NoServices: true,
		Faults: func(int) whmsim.Faults {
			return whmsim.Faults{Latency: 10 * time.Millisecond, Jitter: 10 * time.Millisecond}
		}}, port, env)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 11))
	t.Logf("seed %d", seed)
	apps, err := api.DesiredApps(ctx, "cpanel")
	if err != nil || len(apps) == 0 {
		t.Fatalf("desired apps %v, %v", apps, err)
	}
	// Every account in creation order, the servers in turn; ten services per
	// seeded client.
	var order []addAccount
	for i := range sz.addAccounts {
		for _, s := range st.fleet.Servers {
			order = append(order, addAccount{server: s, user: s.Accounts[i], client: int64(len(order)/10 + 1)})
		}
	}
	created := map[string]bool{}
	var retries atomic.Int64
	killMax := 2 * time.Second
	phases := map[string]int{}
	var rows []string
	// At least addTrials trials, more (up to the accounts) until that many
	// kills landed while services were being created or pushed.
	chunk := max(1, len(order)/(sz.addTrials+sz.addTrials/2))
	trial, next := 0, 0
	for ; next < len(order); trial++ {
		if trial >= sz.addTrials && phases["creating"]+phases["pushing"] >= sz.addTrials {
			break
		}
		accts := order[next:min(next+chunk, len(order))]
		next += len(accts)
		jobs := addJobs(accts)
		begin := time.Now()
		delay := time.Duration(rng.Int64N(int64(killMax)))
		var phase string
		svc, phase, err = addAndKill(ctx, st, svc, api, jobs, &retries, delay, port, env)
		if err != nil {
			t.Fatalf("trial %d: %v", trial+1, err)
		}
		phases[phase]++
		for _, a := range accts {
			created[a.user] = true
		}
		status, _, err := waitSettled(ctx, api, 3*time.Minute)
		if err != nil {
			t.Fatalf("trial %d: %v", trial+1, err)
		}
		killMax = max(200*time.Millisecond, min(time.Since(begin)*3/4, 10*time.Second))
		problems := checkBulkAdd(ctx, st, apps, created, status)
		outcome := "ok"
		if len(problems) > 0 {
			outcome = "**FAILED**: " + strings.Join(problems, "; ")
			t.Errorf("trial %d: %s", trial+1, strings.Join(problems, "; "))
		}
		rows = append(rows, fmt.Sprintf("| %d | %d (%d requests) | %s | %s | %d | %s |", trial+1, len(accts), len(jobs),
			delay.Round(time.Millisecond), phase, len(created), outcome))
	}
	record("Crash during a bulk add of accounts (kill -9)",
		fmt.Sprintf("%s, %d servers x %d simulated accounts (%d), simulated latency 10-20 ms, lease TTL 2 s, lifecycle delay 1 s (the default). The application is enabled while no service exists; then the accounts become Active services through the API, chunk by chunk (%d per chunk, the servers in turn): groups of ten created one at a time (`POST /api/v1/services`) alternate with batches of ten (`PUT /api/v1/services:batch`), sent by 4 concurrent API clients. In each trial the process is killed with SIGKILL after a random delay (uniform up to three quarters of the previous trial's length) and restarted on the same port; the clients send again every request that was not answered (a single creation answered 409 on its retry had been committed; a batch retried answers unchanged): %d requests were sent again. %d trials (at least %d, and more until %d kills landed while services were being created or pushed). Seed %d.",
			dialect, sz.addServers, sz.addAccounts, len(order), chunk, retries.Load(), trial, sz.addTrials, sz.addTrials, seed),
		"",
		fmt.Sprintf("Kills landed: %d while services were being created, %d after the last creation while links were being pushed, %d after the status said active again.", phases["creating"], phases["pushing"], phases["settled"]),
		"",
		"Checks per trial, at the first status poll (every 50 ms after the restart and the last creation) that says active with no operation open, so that a status saying active too early fails the trial: nothing failed or pending; every service exists once (a services row and a credential per account created so far); every account created so far carries exactly the desired apps and the billing group, each link with the account's subscriber id and a token whose hash is the stored one (read in the simulator); every other account carries nothing.",
		"",
		"| trial | accounts added | kill after | killed while | services so far | outcome |",
		"|---:|---:|---:|---|---:|---|")
	record("Crash during a bulk add of accounts (kill -9)", rows...)
	record("Crash during a bulk add of accounts (kill -9)", "", runTime(start))
}

// addAndKill sends the jobs, kills the process after delay and restarts
// it, and waits until every job was answered. It returns the new process
// and when the kill landed: while services were being created, after the
// last creation while the status was not active yet, or once it was.
func addAndKill(ctx context.Context, st *stack, svc *harness.Service, api *harness.Client, jobs []addJob, retries *atomic.Int64,
	delay time.Duration, port int, env map[string]string) (*harness.Service, string, error) {
	done := make(chan error, 1)
	go func() { done <- runAdders(ctx, api, jobs, retries) }()
	time.Sleep(delay)
	phase := "creating"
	select {
	case err := <-done:
		done <- err
		phase = "pushing"
		if s, err := api.Status(ctx, "cpanel"); err == nil && s.State == links.StateActive {
			phase = "settled"
		}
	default:
	}
	svc.Kill()
	svc = st.start(port, env)
	return svc, phase, <-done
}

// checkBulkAdd checks the fleet once settled: exactly the created services,
// each exact in the simulator.
func checkBulkAdd(ctx context.Context, st *stack, apps []string, created map[string]bool, status links.ApplicationStatus) []string {
	var problems []string
	if status.AccountsFailed != 0 || status.AccountsPending != 0 {
		problems = append(problems, fmt.Sprintf("status active with %d failed and %d pending", status.AccountsFailed, status.AccountsPending))
	}
	creds, err := credentialsFromDB(ctx, st.db)
	if err != nil {
		return append(problems, "credentials: "+err.Error())
	}
	if len(creds) != len(created) {
		problems = append(problems, fmt.Sprintf("%d services, want %d", len(creds), len(created)))
	}
	c := checkAccounts(st.fleet, apps, func(u string) bool { return created[u] }, creds)
	if c.bad > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d accounts not exact, e.g. %v", c.bad, c.checked, c.examples))
	}
	return problems
}
