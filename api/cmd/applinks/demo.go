//go:build demo

// The demo: simulated WHM servers in the process, their pages under /__sim/,
// and demo data in the database. Built in only with -tags demo (make run,
// make e2e build bin/applinks-demo), so that the release binary and the
// image hold no simulator; nodemo.go is the release side.

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/whmsim"
)

// demoServer is one simulated server of the demo.
type demoServer struct {
	name, module, version, profile string
	accounts                       []string
}

// demoServers are the demo's panels: two current cPanel servers, one too old
// to support application links, and one WP Squared server.
var demoServers = []demoServer{
	{"demo-cpanel-1", links.ModuleCPanel, "11.120.0.16", "STANDARD", []string{"acme", "globex", "initech", "umbrella"}},
	{"demo-cpanel-2", links.ModuleCPanel, "11.118.0.9", "STANDARD", []string{"hooli", "piedpiper", "stark"}},
	{"demo-cpanel-old", links.ModuleCPanel, "11.50.0.1", "STANDARD", []string{"oldco", "legacy"}},
	{"demo-wp2", links.ModuleWPSquared, "11.136.1.7", "WP2", []string{"wpblog", "wpshop"}},
}

// demoBuilt tells the configuration that APPLINKS_DEMO can be honoured.
const demoBuilt = true

// startDemo starts the simulated servers on fixed loopback ports (so that a
// restart finds them where the database says) and, on first start, fills the
// database with servers, clients, users and services that match them. It
// returns the simulator's pages and control endpoints, to serve under
// /__sim/, the function that stops the servers, and whether the database
// was the demo's already (a restart: see repushDemo).
func startDemo(ctx context.Context, db *store.Store, cfg Config, logger *slog.Logger) (http.Handler, func(), bool, error) {
	sim := whmsim.New(logger.With("component", "whmsim"))
	for i, d := range demoServers {
		accts := make([]whmsim.Account, len(d.accounts))
		for j, u := range d.accounts {
			accts[j] = whmsim.Account{User: u, Domain: u + ".test", Email: "owner@" + u + ".test"}
		}
		_, err := sim.Start(whmsim.ServerConfig{
			Name: d.name, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.DemoSimPort+i)),
			Token: demoToken(d.name), Version: d.version, Profile: d.profile, Accounts: accts,
		})
		if err != nil {
			sim.Close()
			return nil, nil, false, err
		}
	}
	seeded, err := seedDemo(ctx, db, cfg)
	if err != nil {
		sim.Close()
		return nil, nil, false, err
	}
	logger.Info("demo: simulated servers running; accounts and click pages at /__sim/", "servers", len(demoServers))
	return sim.ControlHandler(), func() { _ = sim.Close() }, !seeded, nil
}

// repushDemo queues a repair of each enabled application when the demo
// starts again on its database: its simulated panels start empty, while the
// database remembers the links they were given.
func repushDemo(ctx context.Context, engine *provisioning.Engine, logger *slog.Logger) {
	for _, a := range links.Applications {
		_, err := engine.Sync(ctx, a.Module, "the demo's restart: its simulated panels start empty")
		if err != nil && links.ErrorCode(err) != links.ECONFLICT { // a disabled application has nothing to push
			logger.Warn("demo: push the links again after a restart", "module", a.Module, "err", err)
		}
	}
}

func demoToken(name string) string { return "DEMO" + name + "TOKEN" }

func ptr[T any](v T) *T { return &v }

// seedDemo creates the demo data unless the database already has servers;
// it reports whether it did.
func seedDemo(ctx context.Context, db *store.Store, cfg Config) (bool, error) {
	_, total, err := db.ListServers(ctx, links.ServerFilter{Page: links.Page{Page: 1, PerPage: 1}})
	if err != nil || total > 0 {
		return false, err
	}
	for i, d := range demoServers {
		in := links.ServerInput{
			Module: d.module, Name: d.name, Hostname: "127.0.0.1", Port: ptr(cfg.DemoSimPort + i),
			Secure: ptr(false), Username: "root", APIToken: demoToken(d.name),
		}
		in.Normalize()
		srv, err := db.CreateServer(ctx, in)
		if err != nil {
			return false, fmt.Errorf("server %s: %w", d.name, err)
		}
		for _, u := range d.accounts {
			client := links.ClientInput{
				Name: titleCase(u) + " Ltd", Email: "billing@" + u + ".test",
				Owner: &links.OwnerInput{Email: "owner@" + u + ".test", Name: titleCase(u) + " Owner", Password: "demo-password"},
			}
			if err := client.Validate(); err != nil {
				return false, err
			}
			c, err := db.CreateClient(ctx, client)
			if err != nil {
				return false, fmt.Errorf("client %s: %w", u, err)
			}
			member := links.ClientUserInput{Email: "staff@" + u + ".test", Name: titleCase(u) + " Staff", Password: "demo-password"}
			if err := member.Validate(); err != nil {
				return false, err
			}
			if _, err := db.AddClientUser(ctx, c.ID, member); err != nil {
				return false, err
			}
			svc := links.ServiceInput{ClientID: c.ID, ServerID: srv.ID, Username: u, Domain: u + ".test", Status: links.ServiceActive}
			if err := svc.Validate(); err != nil {
				return false, err
			}
			if _, err := db.CreateService(ctx, svc); err != nil {
				return false, fmt.Errorf("service %s: %w", u, err)
			}
		}
	}
	return true, nil
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
