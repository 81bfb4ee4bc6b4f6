package provisioning_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

const publicURL = "https://billing.example.test"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// world is a simulator with servers registered in a store, and services for
// their accounts.
type world struct {
	t        *testing.T
	st       *store.Store
	sim      *whmsim.Sim
	servers  map[string]*whmsim.Server
	ids      map[string]int64 // server name -> store id
	services map[string]links.Service
	clientID int64
}

// spec of one simulated server: name, accounts, and optional config.
type srvSpec struct {
	name     string
	accounts int
	version  string
	profile  string
	faults   whmsim.Faults
}

func newWorld(t *testing.T, st *store.Store, specs ...srvSpec) *world {
	t.Helper()
	sim := whmsim.New(quiet, whmsim.WithSeed(1))
	t.Cleanup(func() { _ = sim.Close() })
	w := &world{t: t, st: st, sim: sim, servers: map[string]*whmsim.Server{}, ids: map[string]int64{}, services: map[string]links.Service{}}
	ctx := context.Background()
	owner := &links.OwnerInput{Email: "owner@acme.test", Name: "Owner", Password: "owner-password-1"}
	cin := links.ClientInput{Name: "Acme", Email: "billing@acme.test", Owner: owner}
	if err := cin.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateClient(ctx, cin)
	if err != nil {
		t.Fatal(err)
	}
	w.clientID = c.ID
	for _, sp := range specs {
		w.addServer(sp)
	}
	return w
}

func (w *world) addServer(sp srvSpec) {
	t := w.t
	ctx := context.Background()
	var accts []whmsim.Account
	for i := 1; i <= sp.accounts; i++ {
		u := fmt.Sprintf("%su%03d", sp.name, i)
		accts = append(accts, whmsim.Account{User: u, Domain: u + ".example.test"})
	}
	srv, err := w.sim.Start(whmsim.ServerConfig{Name: sp.name, Token: "TOKEN" + sp.name, Version: sp.version, Profile: sp.profile, Accounts: accts, Faults: sp.faults})
	if err != nil {
		t.Fatal(err)
	}
	w.servers[sp.name] = srv
	f := false
	port := srv.Port()
	in := links.ServerInput{Module: srv.Module(), Name: sp.name, Hostname: srv.Host(), Port: &port, Secure: &f, VerifyTLS: &f, APIToken: srv.Token()}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := w.st.CreateServer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	w.ids[sp.name] = s.ID
	for _, a := range accts {
		w.addService(sp.name, a.User, links.ServiceActive)
	}
}

func (w *world) addService(server, user, status string) links.Service {
	w.t.Helper()
	in := links.ServiceInput{ClientID: w.clientID, ServerID: w.ids[server], Username: user, Domain: user + ".example.test", Status: status}
	if err := in.Validate(); err != nil {
		w.t.Fatal(err)
	}
	svc, err := w.st.CreateService(context.Background(), in)
	if err != nil {
		w.t.Fatal(err)
	}
	w.services[user] = svc
	return svc
}

func testConfig() provisioning.Config {
	return provisioning.Config{
		Workers: 8, PerServerCap: 2, BatchSize: 3, LeaseTTL: 2 * time.Second, MaxAttempts: 3,
		RetryBase: 10 * time.Millisecond, PublicURL: publicURL, PollInterval: 50 * time.Millisecond,
	}
}

func panels() []links.Panel {
	opts := whm.Options{Timeout: 5 * time.Second, AllowLoopback: true}
	return []links.Panel{whm.NewCPanel(opts), whm.NewWPSquared(opts)}
}

// enabledWorld builds a world of specs, starts an engine (testConfig) and
// enables cPanel's links, waiting for the activation to end.
func enabledWorld(t *testing.T, st *store.Store, specs ...srvSpec) (*world, *provisioning.Engine, links.Operation) {
	t.Helper()
	w := newWorld(t, st, specs...)
	e := startEngine(t, st, testConfig())
	op, err := e.Enable(context.Background(), links.ModuleCPanel, "")
	if err != nil {
		t.Fatal(err)
	}
	waitOp(t, st, op.ID)
	return w, e, op
}

// startEngine starts an engine on the store, stopped when the test ends.
func startEngine(t *testing.T, st provisioning.Store, cfg provisioning.Config) *provisioning.Engine {
	t.Helper()
	return startEngineWith(t, st, cfg, panels())
}

// startEngineWith starts an engine over the given panels, stopped when the
// test ends.
func startEngineWith(t *testing.T, st provisioning.Store, cfg provisioning.Config, ps []links.Panel) *provisioning.Engine {
	t.Helper()
	e := provisioning.New(cfg, st, ps, quiet, nil)
	e.Start(context.Background())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.Stop(ctx)
	})
	return e
}

// waitOp waits until the operation is finished and returns it.
func waitOp(t *testing.T, st *store.Store, id int64) links.OperationDetail {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		op, err := st.Operation(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !op.Open() {
			return op
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %d still %s after 60s: %+v", id, op.State, op)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// expectLinks checks that every qualifying account of the named servers
// carries exactly the enabled links of want, with the group.
func (w *world) expectLinks(want []links.Link, servers ...string) {
	w.t.Helper()
	var apps []string
	byApp := map[string]links.Link{}
	for _, l := range want {
		if l.Enabled {
			apps = append(apps, "billing_"+l.Key)
			byApp["billing_"+l.Key] = l
		}
	}
	sort.Strings(apps)
	for _, name := range servers {
		srv := w.servers[name]
		for _, a := range srv.Accounts() {
			svc, ok := w.services[a.User]
			if !ok || !svc.Qualifies(true) {
				continue
			}
			got := srv.Links(a.User)
			var gotApps []string
			for _, l := range got {
				gotApps = append(gotApps, l.App)
				wl := byApp[l.App]
				wantURL := links.FallbackPageURL(publicURL, wl.Key, l.SubscriberUniqueID)
				wantAuto := publicURL + "/sso/cpanel/token?destination=" + wl.Key
				if l.Label != wl.Label || l.Order != wl.Order || l.GroupID != "billing" || l.Implements != wl.Implements ||
					l.URL != wantURL || l.AutologinTokenURL != wantAuto || l.SubscriberUniqueID == "" {
					w.t.Fatalf("%s/%s: link %+v does not match %+v (url %s)", name, a.User, l, wl, wantURL)
				}
			}
			sort.Strings(gotApps)
			if !slices.Equal(gotApps, apps) {
				w.t.Fatalf("%s/%s: apps %v, want %v", name, a.User, gotApps, apps)
			}
			groups := srv.Groups(a.User)
			if len(apps) > 0 && (len(groups) != 1 || groups[0].ID != "billing" || groups[0].Label != "Billing & Support") {
				w.t.Fatalf("%s/%s: groups %+v", name, a.User, groups)
			}
		}
	}
}

// expectNoLinks checks that no account of the servers has a link or group.
func (w *world) expectNoLinks(servers ...string) {
	w.t.Helper()
	for _, name := range servers {
		srv := w.servers[name]
		for _, a := range srv.Accounts() {
			if l, g := srv.Links(a.User), srv.Groups(a.User); len(l) > 0 || len(g) > 0 {
				w.t.Fatalf("%s/%s still has links %v and groups %v", name, a.User, l, g)
			}
		}
	}
}

func logOf(t *testing.T, st *store.Store, opID int64, level string) []links.LogEntry {
	t.Helper()
	entries, _, err := st.ListLog(context.Background(), links.LogFilter{OperationID: opID, Level: level, Page: links.Page{Page: 1, PerPage: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// warningsLogged reports whether operation *op logged n Warnings that
// contain text. Panels call it on the worker's goroutines (no t.Fatal); it
// finds none until *op is set.
func warningsLogged(st *store.Store, op *atomic.Int64, text string, n int) func() bool {
	return func() bool {
		log, _, _ := st.ListLog(context.Background(), links.LogFilter{OperationID: op.Load(), Level: links.LevelWarning,
			Page: links.Page{Page: 1, PerPage: 100}})
		count := 0
		for _, en := range log {
			if strings.Contains(en.Message, text) {
				count++
			}
		}
		return count >= n
	}
}

// leaseTracker proves that one holder at a time works each server.
type leaseTracker struct {
	mu         sync.Mutex
	holders    map[int64]string
	violations []string
	taken      int
}

func newLeaseTracker() *leaseTracker { return &leaseTracker{holders: map[int64]string{}} }

func (l *leaseTracker) hook(serverID int64, owner string, held bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if held {
		if cur, ok := l.holders[serverID]; ok {
			l.violations = append(l.violations, fmt.Sprintf("server %d taken by %s while %s holds it", serverID, owner, cur))
		}
		l.holders[serverID] = owner
		l.taken++
		return
	}
	if l.holders[serverID] == owner {
		delete(l.holders, serverID)
	}
}

func settingsOf(ls []links.Link) []links.LinkInput {
	out := make([]links.LinkInput, len(ls))
	for i, l := range ls {
		en, ord := l.Enabled, l.Order
		out[i] = links.LinkInput{Key: l.Key, Label: l.Label, Enabled: &en, Order: &ord}
	}
	return out
}

// enableOver starts an engine (cfg) over the test panels with cPanel's
// replaced by cpanel (a double, usually around panels()[0]), stopped when
// the test ends, and queues the enable of cPanel's links.
func enableOver(t *testing.T, st *store.Store, cfg provisioning.Config, cpanel links.Panel) (*provisioning.Engine, links.Operation) {
	t.Helper()
	ps := panels()
	ps[0] = cpanel
	e := startEngineWith(t, st, cfg, ps)
	op, err := e.Enable(context.Background(), links.ModuleCPanel, "")
	if err != nil {
		t.Fatal(err)
	}
	return e, op
}

// relabel gives cPanel's first link another label through the engine and
// returns the links saved and the configuration operation queued.
func relabel(t *testing.T, e *provisioning.Engine, label string) ([]links.Link, links.Operation) {
	t.Helper()
	ctx := context.Background()
	ls, err := e.Links(ctx, links.ModuleCPanel)
	if err != nil {
		t.Fatal(err)
	}
	in := settingsOf(ls)
	in[0].Label = label
	saved, op, err := e.SaveLinks(ctx, links.ModuleCPanel, in, "")
	if err != nil || op == nil {
		t.Fatal(op, err)
	}
	return saved, *op
}
