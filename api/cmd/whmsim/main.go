// Command whmsim runs simulated cPanel & WHM and WP Squared servers for the
// demo, manual testing and benchmarks: N servers, each on its own port with
// its own API token and accounts, plus a control server with inspection
// JSON, fault setting, account pages and the cPanel click. See
// docs/simulator.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/applinks/applinks/api/whmsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "whmsim:", err)
		os.Exit(1)
	}
}

// config is everything the command needs, from flags, environment or a JSON
// file.
type config struct {
	ConfigFile  string
	Servers     int
	Old         int
	WPSquared   int
	Accounts    int
	Latency     time.Duration
	Jitter      time.Duration
	ErrorRate   float64
	TimeoutRate float64
	HTTP500Rate float64
	HTMLRate    float64
	Control     string
	Host        string
	BasePort    int
	TokenPrefix string
	Seed        uint64
	RetryScale  float64
	JSON        bool
	LogLevel    string
}

// fileConfig is the JSON config file: explicit servers instead of counts.
type fileConfig struct {
	Control    string                `json:"control"`
	Seed       uint64                `json:"seed"`
	RetryScale float64               `json:"retry_scale"`
	Servers    []whmsim.ServerConfig `json:"servers"`
}

// printedServer is one server as -json prints it.
type printedServer struct {
	Name     string `json:"name"`
	Module   string `json:"module"`
	URL      string `json:"url"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	Token    string `json:"token"`
	Version  string `json:"version"`
	Profile  string `json:"profile"`
	Accounts int    `json:"accounts"`
}

// run parses the arguments, starts the servers and the control server, and
// serves until ctx is done.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	servers, fc, err := serverConfigs(cfg)
	if err != nil {
		return err
	}
	opts := []whmsim.Option{whmsim.WithSeed(cfg.Seed), whmsim.WithRetryScale(cfg.RetryScale)}
	if fc != nil {
		if fc.Seed != 0 {
			opts = append(opts, whmsim.WithSeed(fc.Seed))
		}
		if fc.RetryScale != 0 {
			opts = append(opts, whmsim.WithRetryScale(fc.RetryScale))
		}
		if fc.Control != "" {
			cfg.Control = fc.Control
		}
	}
	sim := whmsim.New(logger, opts...)
	defer sim.Close()

	var printed []printedServer
	for _, sc := range servers {
		srv, err := sim.Start(sc)
		if err != nil {
			return err
		}
		printed = append(printed, printedServer{
			Name: srv.Name(), Module: srv.Module(), URL: srv.URL(), Host: srv.Host(), Port: srv.Port(),
			Username: srv.Username(), Token: srv.Token(), Version: srv.Version(), Profile: srv.Profile(),
			Accounts: len(srv.Accounts()),
		})
	}

	var control *http.Server
	controlURL := ""
	errc := make(chan error, 1)
	if cfg.Control != "" {
		ln, err := net.Listen("tcp", cfg.Control)
		if err != nil {
			return fmt.Errorf("control: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/__sim/", sim.ControlHandler())
		mux.Handle("/__sim", sim.ControlHandler())
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/__sim/", http.StatusFound)
		})
		control = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		controlURL = "http://" + ln.Addr().String()
		go func() {
			if err := control.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}

	if err := printServers(stdout, printed, controlURL, cfg.JSON); err != nil {
		return err
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		return fmt.Errorf("control: %w", err)
	}
	logger.Info("whmsim: shutting down")
	if control != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// Close the servers first so that hanging requests and pending click
		// retries end, then let the control server drain.
		_ = sim.Close()
		if err := control.Shutdown(sctx); err != nil {
			_ = control.Close()
		}
	}
	return sim.Close()
}

// parseConfig reads flags; every flag may also come from the environment as
// WHMSIM_<NAME> (e.g. WHMSIM_ERROR_RATE), flags winning.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("whmsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.ConfigFile, "config", "", "JSON file listing the servers (overrides the counts below)")
	fs.IntVar(&c.Servers, "servers", 2, "number of current cPanel & WHM servers")
	fs.IntVar(&c.Old, "old", 1, "number of cPanel & WHM servers too old for application links ("+whmsim.OldVersion+")")
	fs.IntVar(&c.WPSquared, "wpsquared", 1, "number of WP Squared servers")
	fs.IntVar(&c.Accounts, "accounts", 10, "hosting accounts per server")
	fs.DurationVar(&c.Latency, "latency", 0, "latency of every WHM request")
	fs.DurationVar(&c.Jitter, "jitter", 0, "extra random latency in [0, jitter]")
	fs.Float64Var(&c.ErrorRate, "error-rate", 0, "fraction of account calls refused with a panel error")
	fs.Float64Var(&c.TimeoutRate, "timeout-rate", 0, "fraction of requests that hang until the client gives up")
	fs.Float64Var(&c.HTTP500Rate, "http500-rate", 0, "fraction of requests answered HTTP 500")
	fs.Float64Var(&c.HTMLRate, "html-rate", 0, "fraction of requests answered with an HTML login page")
	fs.StringVar(&c.Control, "control", "127.0.0.1:2080", "listen address of the control server (empty: none)")
	fs.StringVar(&c.Host, "host", "127.0.0.1", "address the simulated servers listen on")
	fs.IntVar(&c.BasePort, "base-port", 0, "port of the first server, the others following (0: free ports)")
	fs.StringVar(&c.TokenPrefix, "token-prefix", "SIMTOKEN", "API tokens are <prefix>-<server name>")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the fault injection's random numbers")
	fs.Float64Var(&c.RetryScale, "retry-scale", 1, "scale of the click's retry waits (0: no wait)")
	fs.BoolVar(&c.JSON, "json", false, "print the servers as JSON")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")

	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := "WHMSIM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if err := fs.Set(f.Name, v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s: %w", name, err)
			}
		}
	})
	if envErr != nil {
		return c, envErr
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.Servers < 0 || c.Old < 0 || c.WPSquared < 0 || c.Accounts < 0 {
		return c, errors.New("counts must not be negative")
	}
	if c.Accounts > 9999 {
		return c, errors.New("-accounts is at most 9999")
	}
	return c, nil
}

// serverConfigs returns the servers to start: from the JSON file, or
// generated from the counts.
func serverConfigs(c config) ([]whmsim.ServerConfig, *fileConfig, error) {
	if c.ConfigFile != "" {
		b, err := os.ReadFile(c.ConfigFile)
		if err != nil {
			return nil, nil, err
		}
		var fc fileConfig
		if err := json.Unmarshal(b, &fc); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", c.ConfigFile, err)
		}
		if len(fc.Servers) == 0 {
			return nil, nil, fmt.Errorf("%s lists no servers", c.ConfigFile)
		}
		return fc.Servers, &fc, nil
	}
	faults := whmsim.Faults{
		Latency: c.Latency, Jitter: c.Jitter, ErrorRate: c.ErrorRate,
		TimeoutRate: c.TimeoutRate, HTTP500Rate: c.HTTP500Rate, HTMLRate: c.HTMLRate,
	}
	type kind struct {
		count         int
		name, short   string
		version, prof string
	}
	kinds := []kind{
		{c.Servers, "cpanel", "cp", "", ""},
		{c.Old, "old", "old", whmsim.OldVersion, ""},
		{c.WPSquared, "wp", "wp", "", whmsim.ProfileWPSquared},
	}
	var out []whmsim.ServerConfig
	for _, k := range kinds {
		for i := 1; i <= k.count; i++ {
			name := k.name + strconv.Itoa(i)
			sc := whmsim.ServerConfig{
				Name: name, Token: c.TokenPrefix + "-" + name, Version: k.version, Profile: k.prof,
				Faults: faults, Addr: net.JoinHostPort(c.Host, "0"),
			}
			if c.BasePort > 0 {
				sc.Addr = net.JoinHostPort(c.Host, strconv.Itoa(c.BasePort+len(out)))
			}
			for a := 1; a <= c.Accounts; a++ {
				user := fmt.Sprintf("%s%du%04d", k.short, i, a)
				sc.Accounts = append(sc.Accounts, whmsim.Account{User: user, Domain: user + ".example.test"})
			}
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, nil, errors.New("no servers to start")
	}
	return out, nil, nil
}

func printServers(w io.Writer, servers []printedServer, controlURL string, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Control string          `json:"control,omitempty"`
			Servers []printedServer `json:"servers"`
		}{controlURL, servers})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tMODULE\tVERSION\tPROFILE\tURL\tUSER\tTOKEN\tACCOUNTS")
	for _, s := range servers {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", s.Name, s.Module, s.Version, s.Profile, s.URL, s.Username, s.Token, s.Accounts)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if controlURL != "" {
		_, err := fmt.Fprintf(w, "\ncontrol: %s/__sim/\n", controlURL)
		return err
	}
	return nil
}
