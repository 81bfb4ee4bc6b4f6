package provisioning_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// poisonPanel fails as a whole every push (and every read) that carries
// one of some accounts, as a panel does whose request crashes or hangs on
// such an account (a broken home directory, say), while it answers every
// other request, its support check included.
type poisonPanel struct {
	links.Panel
	push, read map[string]bool
}

var errPoisoned = errors.New("the panel answered HTTP 500 Internal Server Error")

func (p poisonPanel) PushLinks(ctx context.Context, s links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	for _, a := range req.Accounts {
		if p.push[a.Username] {
			return nil, errPoisoned
		}
	}
	return p.Panel.PushLinks(ctx, s, req)
}

func (p poisonPanel) ReadLinks(ctx context.Context, s links.ServerConn, req links.ReadRequest) ([]links.AccountLinks, error) {
	for _, u := range req.Usernames {
		if p.read[u] {
			return nil, errPoisoned
		}
	}
	return p.Panel.ReadLinks(ctx, s, req)
}

// Accounts that make their requests fail as a whole hold neither their
// batch neighbours nor their server: the server answers a support check
// made right after, so each account of the request is sent alone, and one
// whose request fails alone is refused (terminal after MaxAttempts; Retry
// failed tries it again). Three such batches in a row do not give the
// server up. A verify reads the neighbours of an account whose reads fail
// alone, and finds their drift. (Before, such batches were never settled:
// the server was given up at every backoff and the status stayed syncing.)
func TestAccountsThatBreakTheirRequestsFailAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 9}) // 3 batches of 3, one poisoned account in each
		ps := panels()
		ps[0] = poisonPanel{Panel: ps[0], push: map[string]bool{"cpau002": true, "cpau005": true, "cpau008": true},
			read: map[string]bool{"cpau001": true}}
		e := startEngineWith(t, st, testConfig(), ps)
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
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

		// cpau001's reads fail; cpau004, read in the same batch, drifted.
		if err := w.servers["cpa"].RemoveLink("cpau004", "billing_"+want[0].Key); err != nil {
			t.Fatal(err)
		}
		vop, err := e.Verify(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, vop.ID)
		var notices, unread []string
		for _, en := range logOf(t, st, vop.ID, links.LevelNotice) {
			notices = append(notices, en.Message)
		}
		for _, en := range logOf(t, st, vop.ID, links.LevelWarning) {
			unread = append(unread, en.Message)
		}
		if len(notices) != 1 || !strings.HasPrefix(notices[0], "Account cpau004 on server cpa differs") ||
			len(unread) != 1 || !strings.HasPrefix(unread[0], "Could not verify account cpau001 on server cpa: its request failed while the server answers:") {
			t.Fatalf("verify notices %q and warnings %q; want cpau004's drift and cpau001 unread", notices, unread)
		}
		if _, err := waitStatus(t, e, links.StateActive); err != nil {
			t.Fatal(err)
		}
		w.expectLinks(want, "cpa")
	})
}

// failedAlone checks that each user failed for good in the operation, its
// request failing alone while the server answered.
func failedAlone(t *testing.T, st *store.Store, opID int64, users ...string) {
	t.Helper()
	for _, user := range users {
		n := 0
		for _, en := range logOf(t, st, opID, links.LevelWarning) {
			if strings.HasPrefix(en.Message, "Account "+user+" on server cpa was refused: its request failed while the server answers:") &&
				strings.HasSuffix(en.Message, "(gave up after 3 attempts).") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d final warnings of %s in operation %d, want 1", n, user, opID)
		}
	}
}
