package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/whmsim"
)

// oneAtATimeClients is how many API clients create the services at once.
const oneAtATimeClients = 4

// OneAtATimeResult is the "adding accounts one at a time" scenario on one
// database: services created through the REST API, one request each, while
// the application is enabled.
type OneAtATimeResult struct {
	Database          string  `json:"database"`
	Servers           int     `json:"servers"`
	AccountsPerServer int     `json:"accounts_per_server"`
	Accounts          int     `json:"accounts"`
	Clients           int     `json:"api_clients"`
	LatencyMS         float64 `json:"latency_ms"`
	// CreateSeconds is the time to create every service; CreateRate its
	// rate. SettleSeconds is the time from the last creation to the first
	// status poll that answered active.
	CreateSeconds float64 `json:"create_s"`
	CreateRate    float64 `json:"creates_per_s"`
	SettleSeconds float64 `json:"settle_s"`
	// Requests are the WHM requests the simulator counted after the enable
	// (support checks included), Batches the batch requests among them.
	Requests            int64   `json:"whm_requests"`
	Batches             int64   `json:"whm_batches"`
	RequestsPerAccount  float64 `json:"whm_requests_per_account"`
	Target              float64 `json:"target_requests_per_account"`
	AccountsChecked     int     `json:"accounts_checked"`
	AccountsWrong       int     `json:"accounts_wrong"`
	FirstMismatch       string  `json:"first_mismatch,omitempty"`
	ServiceCPUSeconds   float64 `json:"service_cpu_s"`
	PeakRSSMiB          float64 `json:"peak_rss_mib"`
	StatusPollsSyncing  int     `json:"status_polls_syncing"`
	StatusFinalAccounts int     `json:"status_accounts_total"`
}

// oneAtATime is the scenario "adding accounts one at a time": 10 servers x
// 1,000 simulated accounts (scaled), panels answering in 50 ms, the
// application enabled with no service yet; then every account becomes a
// service through POST /api/v1/services (status Active), one request per
// service from a few concurrent clients, the servers interleaved. It waits
// for the status to say active, then reports the WHM requests per account
// counted by the simulator (target <= 0.15: lifecycle changes are coalesced
// into batches) and checks every account in the simulator.
func (b *bench) oneAtATime(ctx context.Context, dialect string) error {
	const servers = 10
	accounts := b.scaled(1000)
	latency := 50 * time.Millisecond
	e, err := b.setup(ctx, dialect, harness.FleetPlan{Servers: servers, AccountsPerServer: accounts, NoServices: true,
		Faults: func(int) whmsim.Faults { return whmsim.Faults{Latency: latency} }}, nil)
	if err != nil {
		return err
	}
	defer e.close()
	op, err := e.api.Queue(ctx, "cpanel", "enable")
	if err != nil {
		return fmt.Errorf("enable: %w", err)
	}
	if _, err := e.api.WaitOperation(ctx, op.ID, pollEvery, time.Minute); err != nil {
		return fmt.Errorf("enable: %w", err)
	}
	for _, s := range e.fleet.Servers {
		s.Sim.ResetStats()
	}
	res := OneAtATimeResult{Database: dialect, Servers: servers, AccountsPerServer: accounts, Accounts: servers * accounts,
		Clients: oneAtATimeClients, LatencyMS: ms(latency), Target: 0.15}
	cpu0 := harness.CPUTime(e.svc.PID)
	start := time.Now()
	if err := createServices(ctx, e); err != nil {
		return err
	}
	created := time.Now()
	res.CreateSeconds = created.Sub(start).Seconds()
	res.CreateRate = float64(res.Accounts) / res.CreateSeconds
	b.logf("   created %d services in %.1f s (%.0f/s)", res.Accounts, res.CreateSeconds, res.CreateRate)
	st, polls, err := waitActive(ctx, e.api, 10*time.Minute)
	if err != nil {
		return err
	}
	res.SettleSeconds = time.Since(created).Seconds()
	res.StatusPollsSyncing, res.StatusFinalAccounts = polls, st.AccountsTotal
	res.ServiceCPUSeconds = (harness.CPUTime(e.svc.PID) - cpu0).Seconds()
	res.PeakRSSMiB = float64(e.svc.PeakRSSKiB()) / 1024
	for _, s := range e.fleet.Servers {
		sst := s.Sim.Stats()
		res.Requests += sst.Requests
		res.Batches += sst.Calls["batch"]
	}
	res.RequestsPerAccount = float64(res.Requests) / float64(res.Accounts)
	apps, err := e.api.DesiredApps(ctx, "cpanel")
	if err != nil {
		return err
	}
	var mism []harness.Mismatch
	res.AccountsChecked, res.AccountsWrong, mism = harness.VerifyLinks(e.fleet, apps, 1)
	if len(mism) > 0 {
		res.FirstMismatch = mism[0].String()
	}
	b.logf("   active %.1f s after the last creation: %d WHM requests (%d batches), %.3f per account; %d of %d accounts wrong; peak RSS %.0f MiB",
		res.SettleSeconds, res.Requests, res.Batches, res.RequestsPerAccount, res.AccountsWrong, res.AccountsChecked, res.PeakRSSMiB)
	b.report.OneAtATime = append(b.report.OneAtATime, res)
	if res.AccountsWrong > 0 {
		return fmt.Errorf("%d of %d accounts do not carry the desired links once active, e.g. %s", res.AccountsWrong, res.AccountsChecked, res.FirstMismatch)
	}
	return nil
}

// createServices creates one Active service per simulated account through
// the API, oneAtATimeClients at a time, taking the servers in turn (account
// 1 of every server, then account 2, ...). The seeded clients own
// ServicesPerClient (10) services each, in that order.
func createServices(ctx context.Context, e *env) error {
	type job struct {
		client int64
		in     links.ServiceInput
	}
	jobs := make(chan job)
	var failed atomic.Value
	var wg sync.WaitGroup
	for range oneAtATimeClients {
		wg.Go(func() {
			for j := range jobs {
				if failed.Load() != nil {
					continue
				}
				if err := e.api.Do(ctx, http.MethodPost, "/api/v1/services", j.in, nil); err != nil {
					failed.Store(fmt.Errorf("create service %s: %w", j.in.Username, err))
				}
			}
		})
	}
	n := 0
	for i := 0; ; i++ {
		more := false
		for _, s := range e.fleet.Servers {
			if i >= len(s.Accounts) {
				continue
			}
			more = true
			u := s.Accounts[i]
			client := int64(n/10 + 1)
			n++
			jobs <- job{client, links.ServiceInput{ClientID: client, ServerID: s.ID, Username: u, Domain: u + ".example.test", Status: links.ServiceActive}}
		}
		if !more || ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return err
	}
	return ctx.Err()
}

// waitActive polls the status every pollEvery until it says active, and
// returns it with the number of polls that did not.
func waitActive(ctx context.Context, api *harness.Client, timeout time.Duration) (links.ApplicationStatus, int, error) {
	deadline := time.Now().Add(timeout)
	polls := 0
	for {
		st, err := api.Status(ctx, "cpanel")
		if err != nil {
			return st, polls, err
		}
		if st.State == links.StateActive {
			return st, polls, nil
		}
		polls++
		if time.Now().After(deadline) {
			return st, polls, fmt.Errorf("status still %s after %s (%d of %d accounts done)", st.State, timeout, st.AccountsDone, st.AccountsTotal)
		}
		select {
		case <-ctx.Done():
			return st, polls, ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}

// oneAtATimeMarkdown writes the scenario's section.
func oneAtATimeMarkdown(p func(string, ...any), rows []OneAtATimeResult) {
	p("")
	p("## Adding accounts one at a time")
	p("")
	r0 := rows[0]
	p("%d servers x %d simulated accounts, panels answering in %.0f ms, the application enabled while no service exists; then every account becomes an Active service through `POST /api/v1/services`, one request per service from %d concurrent API clients, the servers taken in turn. The bench then polls the status until it says active and checks every account in the simulator (the desired apps and the group). WHM requests are the simulator's count after the enable (support checks included). Target (issue 16): at most %.2f WHM requests per account, every account exact.",
		r0.Servers, r0.AccountsPerServer, r0.LatencyMS, r0.Clients, r0.Target)
	p("")
	p("| database | accounts | creation | settle (last creation to active) | WHM requests | batches | requests/account | accounts wrong | service CPU | peak RSS |")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		p("| %s | %d | %.1f s (%.0f/s) | %.1f s | %d | %d | **%.3f** | %d of %d | %.1f s | %.0f MiB |", r.Database, r.Accounts, r.CreateSeconds, r.CreateRate,
			r.SettleSeconds, r.Requests, r.Batches, r.RequestsPerAccount, r.AccountsWrong, r.AccountsChecked, r.ServiceCPUSeconds, r.PeakRSSMiB)
	}
}
