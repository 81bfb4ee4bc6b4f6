package main

import (
	"context"
	"fmt"

	"github.com/applinks/applinks/api/reliability/harness"
)

// ScaleResult is the scale scenario on one database: one enable of a large
// fleet, with where its time went.
type ScaleResult struct {
	Database          string  `json:"database"`
	Servers           int     `json:"servers"`
	AccountsPerServer int     `json:"accounts_per_server"`
	Accounts          int     `json:"accounts"`
	SeedSeconds       float64 `json:"seed_s"`
	StartSeconds      float64 `json:"service_start_s"`
	// EnableSeconds is the operation's own duration; it splits into the
	// time before the first WHM request, the time from there to the last
	// answer (pushing, and the commits of every batch but the last ones),
	// and the tail after the last answer (the last commits, the
	// operation's end).
	EnableSeconds       float64 `json:"enable_s"`
	FirstRequestSeconds float64 `json:"first_request_s"`
	PushSeconds         float64 `json:"push_s"`
	TailSeconds         float64 `json:"tail_s"`
	AccountsPerS        float64 `json:"accounts_per_s"`
	Requests            int64   `json:"whm_requests"`
	StatementsPerAcc    float64 `json:"db_statements_per_account,omitempty"`
	ServiceCPUSeconds   float64 `json:"service_cpu_s"`
	PeakRSSMiB          float64 `json:"peak_rss_mib"`
	LinksChecked        int     `json:"links_checked"`
}

// scaleRun is the scale scenario: -scale-servers servers (1,000 by
// default) x 1,000 accounts (times -scale), no simulated latency, default
// settings; one enable, measured as provision measures it, with the
// seeding and the service's start beside it. Issue 16's goal at 1,000 x
// 1,000: an enable in under 10 minutes with a peak RSS under 300 MB.
func (b *bench) scaleRun(ctx context.Context, dialect string) error {
	servers, accounts := b.opts.scaleServers, b.scaled(1000)
	e, err := b.setup(ctx, dialect, harness.FleetPlan{Servers: servers, AccountsPerServer: accounts}, nil)
	if err != nil {
		return err
	}
	defer e.close()
	res := ScaleResult{Database: dialect, Servers: servers, AccountsPerServer: accounts, Accounts: servers * accounts,
		SeedSeconds: e.seeded.Seconds(), StartSeconds: e.started.Seconds()}
	r, err := b.provision(ctx, e, "enable")
	res.EnableSeconds, res.AccountsPerS, res.Requests = r.MakespanMS/1000, r.AccountsPerS, r.Requests
	res.FirstRequestSeconds, res.TailSeconds = r.FirstRequestMS/1000, r.TailMS/1000
	res.PushSeconds = res.EnableSeconds - res.FirstRequestSeconds - res.TailSeconds
	res.StatementsPerAcc, res.ServiceCPUSeconds, res.PeakRSSMiB = r.StatementsPerAcc, r.ServiceCPUMS/1000, r.PeakRSSMiB
	res.LinksChecked = r.LinksChecked
	b.logf("   enable of %d accounts: %.1f s (first request %.1f s, pushing %.1f s, tail %.1f s), %.0f accounts/s, service CPU %.0f s, peak RSS %.0f MiB",
		res.Accounts, res.EnableSeconds, res.FirstRequestSeconds, res.PushSeconds, res.TailSeconds, res.AccountsPerS, res.ServiceCPUSeconds, res.PeakRSSMiB)
	b.report.ScaleRuns = append(b.report.ScaleRuns, res)
	return err
}

// scaleMarkdown writes the scale scenario's section.
func scaleMarkdown(p func(string, ...any), rows []ScaleResult) {
	p("")
	p("## Scale")
	p("")
	p("One enable of servers x accounts (`-only scale`, `-scale-servers`), no simulated latency, default settings (16 workers, cap 4, batch 10). Seeding is the bench's bulk SQL (not the service's); the enable is the operation's own duration, split into the time before the first WHM request, pushing (to the last answer, with every batch's commit but the last ones) and the tail (the last commits and the operation's end). Goal (issue 16) at 1,000 x 1,000: enable under 10 minutes, peak RSS under 300 MB.")
	p("")
	p("| database | servers x accounts | seeding | service start | enable | first request, pushing, tail | accounts/s | statements/account | service CPU | peak RSS | accounts checked |")
	p("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		st := "n/a"
		if r.StatementsPerAcc > 0 {
			st = fmt.Sprintf("%.2f", r.StatementsPerAcc)
		}
		p("| %s | %d x %d | %.1f s | %.1f s | %.1f s | %.1f, %.1f, %.1f s | %.0f | %s | %.0f s | %.0f MiB | %d |", r.Database, r.Servers, r.AccountsPerServer,
			r.SeedSeconds, r.StartSeconds, r.EnableSeconds, r.FirstRequestSeconds, r.PushSeconds, r.TailSeconds, r.AccountsPerS, st, r.ServiceCPUSeconds, r.PeakRSSMiB, r.LinksChecked)
	}
}
