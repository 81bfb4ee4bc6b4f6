// Command bench measures applinks against the WHM simulator on loopback, on
// SQLite and on MariaDB/MySQL, and writes bench/report.md and
// bench/report.json: provisioning makespan against its latency lower bound,
// throughput, database statements and peak memory of the real binary (run as
// a child process), the gain of batching, the SSO click and redemption under
// load next to a one-read baseline endpoint, and the cost of status pollers.
//
// Every figure is the median of several runs (-runs). Every load loop is
// bounded in count and time; every process and database it starts it stops
// and drops.
//
//	go run ./api/cmd/bench                      # everything, both databases
//	go run ./api/cmd/bench -db sqlite -only latency,sso -runs 1
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/applinks/applinks/api/reliability/harness"
)

func main() {
	// This process stands for the WHM servers and the clients: what it
	// spends on garbage collection is CPU taken from the service under test
	// on the same machine. It trades memory for less of it, unless GOGC
	// says otherwise; the service keeps Go's defaults.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	dbs      []string
	only     []string
	runs     int
	out      string
	bin      string
	scale    float64
	work     string
	keepLogs bool
	pprof    string
	// scaleServers is the scale scenario's number of servers.
	scaleServers int
}

// scenarios in the order they run.
var scenarios = []string{"latency", "latency250", "throughput", "memory", "oneatatime", "batch", "polling", "sso", "ssowebhook", "scale"}

// defaultScenarios run without -only: the scale scenario (1,000,000
// accounts by default) is asked for by name.
var defaultScenarios = scenarios[:len(scenarios)-1]

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o options
	var dbs, only string
	fs.StringVar(&dbs, "db", "sqlite,mysql", "databases: sqlite, mysql or both (comma-separated)")
	fs.StringVar(&only, "only", strings.Join(defaultScenarios, ","), "scenarios to run: "+strings.Join(scenarios, ",")+" (scale only when named)")
	fs.IntVar(&o.runs, "runs", 3, "runs per figure (the report shows medians)")
	fs.StringVar(&o.out, "out", "bench", "directory of report.md and report.json")
	fs.StringVar(&o.bin, "bin", "", "the applinks binary (default: build ./api/cmd/applinks into a temporary directory)")
	fs.IntVar(&o.scaleServers, "scale-servers", 1000, "servers of the scale scenario (each with 1,000 accounts times -scale)")
	fs.Float64Var(&o.scale, "scale", 1, "scale of the account counts (e.g. 0.1 for a quick try; the report says so)")
	fs.StringVar(&o.work, "work", "", "working directory for databases and logs (default: a temporary directory)")
	fs.BoolVar(&o.keepLogs, "keep-logs", false, "keep the working directory (service logs) after the run")
	fs.StringVar(&o.pprof, "service-pprof", "", "host:port on which the service serves its runtime profiles (APPLINKS_PPROF_ADDR), to profile it during a scenario")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.dbs = strings.Split(dbs, ",")
	o.only = strings.Split(only, ",")
	for _, s := range o.only {
		if !slices.Contains(scenarios, s) {
			return fmt.Errorf("unknown scenario %q (have %s)", s, strings.Join(scenarios, ", "))
		}
	}
	for _, d := range o.dbs {
		if d != harness.SQLite && d != harness.MySQL {
			return fmt.Errorf("unknown database %q (sqlite or mysql)", d)
		}
	}
	if o.scaleServers < 1 {
		return fmt.Errorf("-scale-servers must be at least 1")
	}
	if o.runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	if o.work == "" {
		dir, err := os.MkdirTemp("", "applinks-bench-")
		if err != nil {
			return err
		}
		o.work = dir
	}
	if !o.keepLogs {
		defer os.RemoveAll(o.work)
	}
	if o.bin == "" {
		fmt.Fprintln(stdout, "building the applinks binary")
		bin, err := harness.BuildBinary(ctx, o.work)
		if err != nil {
			return err
		}
		o.bin = bin
	}
	b := &bench{opts: o, out: stdout, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b.report = Report{Machine: harness.DescribeMachine(), Runs: o.runs, Scale: o.scale, Databases: o.dbs}
	started := time.Now()
	for _, s := range o.only {
		for _, db := range o.dbs {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			b.logf("== %s on %s", s, db)
			// The previous scenario's simulated fleet (up to 50,000
			// accounts with their links) is garbage now: collected here,
			// not in the middle of this scenario's measurements.
			runtime.GC()
			debug.FreeOSMemory()
			var err error
			switch s {
			case "latency", "latency250":
				err = b.latency(ctx, db, s)
			case "throughput":
				err = b.throughput(ctx, db)
			case "memory":
				err = b.memory(ctx, db)
			case "oneatatime":
				err = b.oneAtATime(ctx, db)
			case "batch":
				err = b.batch(ctx, db)
			case "polling":
				err = b.polling(ctx, db)
			case "sso":
				err = b.sso(ctx, db)
			case "ssowebhook":
				err = b.ssoWebhook(ctx, db)
			case "scale":
				err = b.scaleRun(ctx, db)
			}
			if err != nil {
				b.logf("   %s on %s failed: %v", s, db, err)
				b.report.Failures = append(b.report.Failures, fmt.Sprintf("%s on %s: %v", s, db, err))
			}
		}
	}
	b.report.TotalSeconds = time.Since(started).Seconds()
	b.report.LoadAvgEnd = harness.LoadAvg()
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	if err := b.report.write(filepath.Join(o.out, "report.json"), filepath.Join(o.out, "report.md")); err != nil {
		return err
	}
	b.logf("wrote %s and %s", filepath.Join(o.out, "report.md"), filepath.Join(o.out, "report.json"))
	return nil
}

// bench holds the state of one invocation.
type bench struct {
	opts   options
	out    io.Writer
	log    *slog.Logger
	report Report
	seq    int
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.out, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// scaled applies -scale to an account count (at least 1).
func (b *bench) scaled(n int) int { return max(1, int(float64(n)*b.opts.scale)) }

// env is one run's setup: a scratch database seeded with a fleet, and the
// service running on it.
type env struct {
	db    *harness.ScratchDB
	fleet *harness.Fleet
	svc   *harness.Service
	api   *harness.Client
	// seeded and started are how long seeding the database and starting
	// the service took.
	seeded, started time.Duration
}

func (e *env) close() {
	if e.svc != nil {
		_ = e.svc.Stop(10 * time.Second)
	}
	if e.fleet != nil {
		_ = e.fleet.Sim.Close()
	}
	if e.db != nil {
		e.db.Drop()
	}
}

// setup seeds a fresh database and starts the binary on it with the given
// APPLINKS_* settings.
func (b *bench) setup(ctx context.Context, dialect string, plan harness.FleetPlan, settings map[string]string) (*env, error) {
	e := &env{}
	ok := false
	defer func() {
		if !ok {
			e.close()
		}
	}()
	var err error
	if e.db, err = harness.NewScratchDB(ctx, dialect, b.opts.work); err != nil {
		return nil, err
	}
	t := time.Now()
	if e.fleet, err = harness.SeedFleet(ctx, e.db, plan); err != nil {
		return nil, err
	}
	e.seeded = time.Since(t)
	b.logf("   seeded %d servers x %d accounts in %s", plan.Servers, plan.AccountsPerServer, e.seeded.Round(time.Millisecond))
	b.seq++
	if b.opts.pprof != "" {
		settings = maps.Clone(settings)
		if settings == nil {
			settings = map[string]string{}
		}
		settings["APPLINKS_PPROF_ADDR"] = b.opts.pprof
	}
	t = time.Now()
	e.svc, err = harness.StartService(ctx, harness.ServiceConfig{Bin: b.opts.bin, DB: e.db, SecretKey: e.fleet.SecretKey, Env: settings,
		LogPath: filepath.Join(b.opts.work, fmt.Sprintf("service-%02d.log", b.seq))})
	if err != nil {
		return nil, err
	}
	e.started = time.Since(t)
	e.api = harness.NewClient(e.svc.URL)
	if err := e.api.Login(ctx); err != nil {
		return nil, err
	}
	ok = true
	return e, nil
}
