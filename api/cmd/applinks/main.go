// Command applinks is the Application Links service: the REST API, the
// embedded dashboard and client area, the provisioning workers and the
// single sign-on endpoints, in one binary.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/applinks/applinks/api/handoff"
	"github.com/applinks/applinks/api/imports"
	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/sso"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/webhooks"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/frontend"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "applinks:", err)
		os.Exit(1)
	}
}

// run starts the service and blocks until ctx is done, then shuts down
// gracefully.
func run(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) error {
	return runWith(ctx, args, lookupEnv, stdout, stderr, nil)
}

// listening holds the addresses the service bound, with the real ports
// when port 0 was asked.
type listening struct {
	API     string
	Metrics string // empty: the metrics listener is off
}

// runWith is run with a hook told the bound addresses once the listeners
// are up, so tests can find the ports.
func runWith(ctx context.Context, _ []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer, ready func(listening)) error {
	cfg, err := loadConfig(lookupEnv)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	logger.Info("starting applinks", cfg.masked()...)

	key, err := cfg.loadOrCreateKey()
	if err != nil {
		return fmt.Errorf("secret key: %w", err)
	}
	box, err := secret.NewBox(key)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Box: box, Logger: logger, MaxOpenConns: cfg.DBMaxConns,
		PasswordCost: cfg.PasswordCost})
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetLifecycleDelay(cfg.LifecycleDelay)
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, db, cfg, stdout, logger); err != nil {
		return err
	}

	if cfg.PprofAddr != "" {
		stop, err := startPprof(cfg.PprofAddr, logger)
		if err != nil {
			return fmt.Errorf("APPLINKS_PPROF_ADDR: %w", err)
		}
		defer stop()
	}

	jwtKey := []byte(cfg.JWTSecret)
	if cfg.JWTSecret == "" {
		jwtKey = box.Derive("jwt")
	}
	registry := prometheus.NewRegistry()
	whmOpts := whm.Options{Timeout: cfg.WHMTimeout, AllowLoopback: cfg.AllowLoopbackServers}
	panels := []links.Panel{whm.NewCPanel(whmOpts), whm.NewWPSquared(whmOpts)}

	mounts := map[string]http.Handler{}
	demoRestarted := false
	if cfg.Demo { // only in a binary built with -tags demo (loadConfig refuses it otherwise)
		pages, stop, restarted, err := startDemo(ctx, db, cfg, logger)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer stop()
		mounts["/__sim/"], demoRestarted = pages, restarted
	}

	keys := handoff.New(db, cfg.PublicURL, nil)
	ssoService := sso.New(db, sso.Config{PublicURL: cfg.PublicURL, TokenTTL: cfg.SSOTokenTTL, RotationGrace: cfg.RotationGrace, Logger: logger, Signer: keys, Panels: panels})
	go ssoService.RunPurger(ctx, time.Minute)
	go purgeAudit(ctx, db, cfg.AuditRetention, logger)
	hooks := webhooks.New(db, webhooks.Config{Retention: cfg.LogRetention, Logger: logger})
	go hooks.Run(ctx)

	engine := provisioning.New(provisioning.Config{
		Workers: cfg.Workers, PerServerCap: cfg.PerServerCap, BatchSize: cfg.BatchSize, LeaseTTL: cfg.LeaseTTL,
		MaxAttempts: cfg.MaxAttempts, LinkPrefix: cfg.LinkPrefix, GroupLabel: cfg.GroupLabel, PublicURL: cfg.PublicURL,
		LogRetention: cfg.LogRetention, VerifyInterval: cfg.VerifyInterval,
	}, db, panels, logger, registry)
	// Not ctx: a signal stops the engine gracefully below, after HTTP.
	engine.Start(context.WithoutCancel(ctx))
	defer stopEngine(engine, cfg.ShutdownGrace, logger)
	if demoRestarted {
		repushDemo(ctx, engine, logger)
	}
	// Import jobs: one runner per replica, leases keep them apart. Its
	// context ends with ctx; a job cut short resumes at the next claim.
	importer := imports.New(db, imports.Config{LeaseTTL: cfg.LeaseTTL, Logger: logger, Lifecycle: engine})
	importsDone := make(chan struct{})
	go func() { defer close(importsDone); importer.Run(ctx) }()

	spa, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return err
	}
	srv := rest.New(rest.Config{
		PublicURL: cfg.PublicURL, JWTKey: jwtKey, StaffTokenTTL: cfg.StaffTokenTTL,
		TrustProxy: cfg.TrustProxy, LoginPerMinute: cfg.LoginPerMinute, PasswordCost: cfg.PasswordCost,
	}, rest.Deps{Store: db, Panels: panels, Logger: logger, SPA: spa, Registry: registry, Mounts: mounts, SSO: ssoService, Handoff: keys, Webhooks: hooks,
		Provisioning: engine, Lifecycle: engine})

	var metrics *metricsListener
	if cfg.MetricsAddr != "" {
		if metrics, err = startMetrics(cfg.MetricsAddr, srv.MetricsHandler(), logger); err != nil {
			return fmt.Errorf("APPLINKS_METRICS_ADDR: %w", err)
		}
		defer metrics.close()
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "url", cfg.PublicURL)
	if cfg.Demo {
		fmt.Fprintf(stdout, "\n  applinks demo: %s (staff sign-in: %s)\n  Simulated cPanel servers and their accounts' links: %s/__sim/\n  Client area: %s/portal (e.g. owner@acme.test / demo-password)\n\n",
			cfg.PublicURL, cfg.AdminEmail, cfg.PublicURL, cfg.PublicURL)
	}
	if ready != nil {
		ready(listening{API: ln.Addr().String(), Metrics: metrics.boundAddr()})
	}

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := httpServer.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("http shutdown", "err", err)
	}
	// After the API: scrapes still see the drain.
	metrics.shutdown(shutCtx, logger)
	// The engine gets what is left of the same grace period.
	if err := engine.Stop(shutCtx); err != nil {
		logger.Warn("provisioning shutdown", "err", err)
	}
	select { // the import runner stops after its chunk in flight
	case <-importsDone:
	case <-shutCtx.Done():
	}
	logger.Info("stopped")
	return nil
}

// stopEngine stops claiming and waits for in-flight provisioning work up to
// the grace period; unfinished tasks resume elsewhere or at the next start.
// It is the deferred stop of the paths that return early (after a clean
// shutdown it finds nothing to do).
func stopEngine(engine *provisioning.Engine, grace time.Duration, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := engine.Stop(ctx); err != nil {
		logger.Warn("provisioning shutdown", "err", err)
	}
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// bootstrapAdmin creates the Full Administrator role and, on an empty
// database, the first admin: with APPLINKS_ADMIN_PASSWORD, or a generated
// password printed once on stdout (never logged).
func bootstrapAdmin(ctx context.Context, db *store.Store, cfg Config, stdout io.Writer, logger *slog.Logger) error {
	role, err := db.EnsureFullAdministrator(ctx)
	if err != nil {
		return err
	}
	n, err := db.CountAdmins(ctx)
	if err != nil || n > 0 {
		return err
	}
	if err := links.ValidateEmail("APPLINKS_ADMIN_EMAIL", cfg.AdminEmail); err != nil {
		return err
	}
	password, generated := cfg.AdminPassword, false
	if password == "" {
		if password, err = secret.Token(15); err != nil {
			return err
		}
		generated = true
	} else if err := links.ValidatePassword("APPLINKS_ADMIN_PASSWORD", password); err != nil {
		return err
	}
	hash, err := secret.HashPassword(password, cfg.PasswordCost)
	if err != nil {
		return err
	}
	if _, err := db.CreateAdmin(ctx, cfg.AdminEmail, "Administrator", hash, role.ID); err != nil {
		if links.ErrorCode(err) == links.ECONFLICT {
			return nil // another replica created it first
		}
		return err
	}
	logger.Info("created the first Full Administrator", "email", cfg.AdminEmail)
	if generated {
		fmt.Fprintf(stdout, "\n  First Full Administrator created.\n  E-mail:   %s\n  Password: %s\n  (shown only this once; change it after signing in)\n\n", cfg.AdminEmail, password)
	}
	return nil
}
