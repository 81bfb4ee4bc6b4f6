package provisioning_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// poisonPanel fails as a whole every push that carries one of some
// accounts, as a panel does whose request crashes or hangs on such an
// account (a broken home directory, say), while it answers every other
// request. With every set, it fails every push, as a panel does whose
// pushes are blocked (a proxy, a token without the right) while it
// answers its support check.
type poisonPanel struct {
	links.Panel
	push  map[string]bool
	every atomic.Bool
}

var errPoisoned = errors.New("the panel answered HTTP 500 Internal Server Error")

func (p *poisonPanel) PushLinks(ctx context.Context, s links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	for _, a := range req.Accounts {
		if p.every.Load() || p.push[a.Username] {
			return nil, errPoisoned
		}
	}
	return p.Panel.PushLinks(ctx, s, req)
}

// Accounts that make their requests fail as a whole hold neither their
// batch neighbours nor their server: the server answers a support check
// made right after, so each account of the request is sent alone, and one
// whose request fails alone is refused (terminal after MaxAttempts; Retry
// failed tries it again, each alone in its pass: a push of an account
// the panel confirmed tells that the server takes pushes). Three such
// batches in a row do not give the server up. (Before, such batches were
// never settled: the server was given up at every backoff and the status
// stayed syncing.)
func TestAccountsThatBreakTheirRequestsFailAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 9}) // 3 batches of 3, one poisoned account in each
		e, op := enableOver(t, st, testConfig(), &poisonPanel{Panel: panels()[0],
			push: map[string]bool{"cpau002": true, "cpau005": true, "cpau008": true}})
		if d := waitOp(t, st, op.ID); d.AccountsDone != 6 || d.AccountsFailed != 3 {
			t.Fatalf("enable = %+v, want 6 accounts done and 3 failed", d.Operation)
		}
		if s, err := waitStatus(t, e, links.StateActive); err != nil || s.AccountsFailed != 3 {
			t.Fatalf("status = %+v, %v; want active with 3 accounts failed", s, err)
		}
		for _, en := range logOf(t, st, op.ID, links.LevelWarning) {
			if strings.HasPrefix(en.Message, "Gave up on server") || strings.Contains(en.Message, "was not updated") {
				t.Errorf("warning %q: the server answers", en.Message)
			}
		}
		failedAlone(t, st, op.ID, "cpau002", "cpau005", "cpau008")
		for _, u := range []string{"cpau002", "cpau005", "cpau008"} {
			delete(w.services, u)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa")

		retry, err := e.RetryFailed(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, retry.ID); d.AccountsFailed != 3 {
			t.Fatalf("retry = %+v, want the 3 accounts failed again", d.Operation)
		}
		failedAlone(t, st, retry.ID, "cpau002", "cpau005", "cpau008")

	})
}

// failedAlone checks that each user failed for good in the operation, its
// request failing alone while the server answered.
func failedAlone(t *testing.T, st *store.Store, opID int64, users ...string) {
	t.Helper()
	for _, user := range users {
		n := 0
		for _, en := range logOf(t, st, opID, links.LevelWarning) {
			if strings.HasPrefix(en.Message, "Account "+user+" on server cpa was refused: its request fails on this account alone (the same request for other accounts is answered):") &&
				strings.HasSuffix(en.Message, "(gave up after 3 attempts).") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d final warnings of %s in operation %d, want 1", n, user, opID)
		}
	}
}

// A panel that fails every push while it answers its support check fails
// no account for good. A new account's push (a batch of one) fails, and so
// does the control push of an account the panel had confirmed; a new
// configuration's batches fail, and so does each account sent alone: none
// was sent, and the server is given up. Once it takes pushes again, every
// account gets its new links.
func TestAPanelFailingEveryPushFailsNoAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		st.SetLifecycleDelay(0)
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 7})
		panel := &poisonPanel{Panel: panels()[0]}
		e, op := enableOver(t, st, testConfig(), panel)
		waitOp(t, st, op.ID)
		panel.every.Store(true) // before any request below
		if err := w.servers["cpa"].AddAccount(whmsim.Account{User: "late", Domain: "late.example.test"}); err != nil {
			t.Fatal(err)
		}
		late := w.addService("cpa", "late", links.ServiceActive)
		e.ServiceChanged(ctx, nil, &late)
		waitFor(t, func() bool {
			for _, en := range logOf(t, st, op.ID, links.LevelWarning) {
				if strings.HasPrefix(en.Message, "Gave up on server cpa") {
					return true
				}
			}
			return false
		})
		for _, en := range logOf(t, st, op.ID, links.LevelWarning) {
			if strings.Contains(en.Message, "was refused") {
				t.Errorf("warning %q: the panel fails every push", en.Message)
			}
		}
		_, cop := relabel(t, e, "Relabelled while pushes fail")
		waitOp(t, st, cop.ID)
		gaveUp := false
		for _, en := range logOf(t, st, cop.ID, links.LevelWarning) {
			gaveUp = gaveUp || strings.HasPrefix(en.Message, "Gave up on server cpa")
			if strings.Contains(en.Message, "was refused") {
				t.Errorf("warning %q: the panel fails every push", en.Message)
			}
		}
		if s, err := e.Status(ctx, links.ModuleCPanel); err != nil || !gaveUp || s.AccountsFailed != 0 || s.State == links.StateActive {
			t.Fatalf("status = %+v, %v, gave up %v; want syncing, given up, no account failed", s, err, gaveUp)
		}
		panel.every.Store(false)
		if s, err := waitStatus(t, e, links.StateActive); err != nil || s.AccountsFailed != 0 {
			t.Fatalf("status once pushes are taken = %+v, %v", s, err)
		}
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa")
	})
}

// The same on a server with no account confirmed yet (nothing to compare
// with): the accounts are sent alone once its support check answers, and
// none is refused while no push is answered.
func TestAPanelFailingEveryPushFromTheStartFailsNoAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		newWorld(t, st, srvSpec{name: "cpa", accounts: 7})
		panel := &poisonPanel{Panel: panels()[0]}
		panel.every.Store(true)
		e, op := enableOver(t, st, testConfig(), panel)
		if d := waitOp(t, st, op.ID); d.AccountsDone != 0 {
			t.Fatalf("enable = %+v, want no account done", d.Operation)
		}
		for _, en := range logOf(t, st, op.ID, links.LevelWarning) {
			if strings.Contains(en.Message, "was refused") {
				t.Errorf("warning %q: the panel fails every push", en.Message)
			}
		}
		if s, err := e.Status(ctx, links.ModuleCPanel); err != nil || s.AccountsFailed != 0 || s.State == links.StateActive {
			t.Fatalf("status = %+v, %v; want no account failed", s, err)
		}
	})
}

// downPanel breaks a poisoned account's pushes, and stops answering
// anything (pushes and support checks) after its downAfter-th push.
type downPanel struct {
	poisonPanel
	pushes, downAfter atomic.Int64
}

var errDown = errors.New("dial tcp: connection refused")

func (p *downPanel) PushLinks(ctx context.Context, s links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	if p.pushes.Add(1) > p.downAfter.Load() {
		return nil, errDown
	}
	return p.poisonPanel.PushLinks(ctx, s, req)
}

func (p *downPanel) CheckSupport(ctx context.Context, s links.ServerConn) (links.Support, error) {
	if p.pushes.Load() >= p.downAfter.Load() {
		return links.Support{}, errDown
	}
	return p.poisonPanel.CheckSupport(ctx, s)
}

// A server that goes down while the accounts of a failed batch are sent
// alone refuses none of them: the support check made after the lone
// requests fails, so those that failed were not sent. (The third push is
// the last answered: the batch, cpau001 alone, cpau002 alone.)
func TestAnOutageDuringTheLoneRequestsRefusesNoAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 3}) // one batch
		panel := &downPanel{poisonPanel: poisonPanel{Panel: panels()[0], push: map[string]bool{"cpau001": true}}}
		panel.downAfter.Store(3)
		e, op := enableOver(t, st, testConfig(), panel)
		waitOp(t, st, op.ID)
		for _, en := range logOf(t, st, op.ID, links.LevelWarning) {
			if strings.Contains(en.Message, "was refused") {
				t.Errorf("warning %q: the server went down", en.Message)
			}
		}
		if got := w.servers["cpa"].Links("cpau002"); len(got) == 0 {
			t.Error("cpau002, answered before the server went down, has no links")
		}
		if s, err := e.Status(ctx, links.ModuleCPanel); err != nil || s.AccountsFailed != 0 {
			t.Fatalf("status = %+v, %v; want no account failed", s, err)
		}
	})
}

// backPanel is a server that is down (pushes and support checks refused)
// from the moment it is taken down until the first push sent after that
// is answered: that push waits until counted says the worker counted three
// failed requests, and brings the server back.
type backPanel struct {
	links.Panel
	down    atomic.Bool
	held    atomic.Bool // the first push sent while down is taken
	checks  atomic.Int64
	counted func() bool
}

func (p *backPanel) PushLinks(ctx context.Context, s links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	if !p.down.Load() {
		return p.Panel.PushLinks(ctx, s, req)
	}
	if !p.held.CompareAndSwap(false, true) {
		return nil, errDown
	}
	for !p.counted() {
		time.Sleep(5 * time.Millisecond)
	}
	p.down.Store(false)
	return p.Panel.PushLinks(ctx, s, req)
}

func (p *backPanel) CheckSupport(ctx context.Context, s links.ServerConn) (links.Support, error) {
	if p.down.Load() {
		p.checks.Add(1)
		return links.Support{}, errDown
	}
	return p.Panel.CheckSupport(ctx, s)
}

// Three requests fail as a whole while the server is down, and a fourth,
// sent before them, is answered after they failed: the server answers
// again, so it is not given up and every account is pushed in the same
// operation. (Before, the third failure gave the server up: the
// operation failed its accounts, pushed them only after a backoff.)
func TestAServerAnsweringAgainIsNotGivenUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 40})
		cfg := testConfig()
		cfg.BatchSize, cfg.PerServerCap = 10, 4 // the 4 batches in flight at once
		panel := &backPanel{Panel: panels()[0]}
		// A failed request is counted before its accounts' "was not
		// updated" warnings are recorded: 30 of them, three requests.
		var repair atomic.Int64
		panel.counted = warningsLogged(st, &repair, " was not updated, ", 30)
		e, op := enableOver(t, st, cfg, panel)
		waitOp(t, st, op.ID)
		panel.down.Store(true)
		// A repair marks every account out of date: no control request.
		rop, err := e.SyncServer(ctx, w.ids["cpa"], "")
		if err != nil {
			t.Fatal(err)
		}
		repair.Store(rop.ID)
		d := waitOp(t, st, rop.ID)
		for _, en := range logOf(t, st, rop.ID, links.LevelWarning) {
			if strings.HasPrefix(en.Message, "Gave up on server") {
				t.Errorf("warning %q: a request was answered after the failures", en.Message)
			}
		}
		if d.State != links.OpCompleted || d.AccountsDone != 40 || d.AccountsFailed != 0 || panel.checks.Load() != 3 {
			t.Fatalf("repair = %+v after %d support checks, want 40 accounts done", d.Operation, panel.checks.Load())
		}
	})
}

// A server whose support check (due again after a day) fails is given up,
// and counts with the support its last check found: the operation does not
// call a server that supports links unsupported because it is down.
func TestAServerDownAtItsSupportCheckKeepsItsSupport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, e, _ := enabledWorld(t, st, srvSpec{name: "cpa", accounts: 3})
		db, err := st.SQLDB()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE servers SET checked_at = ? WHERE id = ?", time.Now().Add(-48*time.Hour), w.ids["cpa"]); err != nil {
			t.Fatal(err)
		}
		if err := w.servers["cpa"].SetFaults(whmsim.Faults{Refuse: true}); err != nil {
			t.Fatal(err)
		}
		op, err := e.SyncServer(ctx, w.ids["cpa"], "")
		if err != nil {
			t.Fatal(err)
		}
		d := waitOp(t, st, op.ID)
		if len(d.Servers) != 1 || d.Servers[0].State != links.TaskFailed || d.ServersSupport != 1 {
			t.Fatalf("repair = %+v, servers %+v, want its server given up, supporting links", d.Operation, d.Servers)
		}
	})
}
