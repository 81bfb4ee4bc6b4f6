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

// poisonPanel fails as a whole every push that carries one account, as a
// panel does whose request crashes or hangs on that account (a broken
// home directory, say), while it answers every other request.
type poisonPanel struct {
	links.Panel
	user string
}

func (p poisonPanel) PushLinks(ctx context.Context, s links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	for _, a := range req.Accounts {
		if a.Username == p.user {
			return nil, errors.New("the panel answered HTTP 500 Internal Server Error")
		}
	}
	return p.Panel.PushLinks(ctx, s, req)
}

// One account that makes its requests fail as a whole holds neither its
// batch neighbours nor its server: the accounts of a request failed whole
// are sent alone in the next pass, and a lone request failing while the
// server answers others is that account's failure. It fails for good after
// MaxAttempts, and Retry failed tries it again (alone in its worker: a
// support check tells the server is up). Before, the batch was never
// settled: the server was given up at every backoff and the status stayed
// syncing.
func TestAnAccountThatBreaksItsRequestsFailsAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 7}) // batches of 3: cpau004 is in the second
		ps := panels()
		ps[0] = poisonPanel{Panel: ps[0], user: "cpau004"}
		e := startEngineWith(t, st, testConfig(), ps)
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, op.ID); d.AccountsDone != 6 || d.AccountsFailed != 1 {
			t.Fatalf("enable = %+v, want 6 accounts done and 1 failed", d.Operation)
		}
		if s, err := waitStatus(t, e, links.StateActive); err != nil || s.AccountsFailed != 1 {
			t.Fatalf("status = %+v, %v; want active with 1 account failed", s, err)
		}
		if n := lastAttempts(t, st, op.ID, "cpau004"); n != 1 {
			t.Errorf("%d final warnings of cpau004, want 1", n)
		}
		poisoned := w.services["cpau004"]
		delete(w.services, "cpau004")
		want, _ := e.Links(ctx, links.ModuleCPanel)
		w.expectLinks(want, "cpa")

		retry, err := e.RetryFailed(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		if d := waitOp(t, st, retry.ID); d.AccountsFailed != 1 {
			t.Fatalf("retry = %+v, want cpau004 failed again", d.Operation)
		}
		if n := lastAttempts(t, st, retry.ID, "cpau004"); n != 1 {
			t.Errorf("%d final warnings of cpau004 in the retry, want 1", n)
		}
		if s, err := waitStatus(t, e, links.StateActive); err != nil || s.AccountsFailed != 1 {
			t.Fatalf("status after the retry = %+v, %v", s, err)
		}
		if got := w.servers["cpa"].Links(poisoned.Username); len(got) != 0 {
			t.Errorf("cpau004 has links %+v", got)
		}
	})
}

// lastAttempts counts the operation's warnings that fail user for good,
// for a request that failed alone.
func lastAttempts(t *testing.T, st *store.Store, opID int64, user string) int {
	t.Helper()
	n := 0
	for _, en := range logOf(t, st, opID, links.LevelWarning) {
		if strings.HasPrefix(en.Message, "Account "+user+" on server cpa was refused: its request failed while the server answers others:") &&
			strings.HasSuffix(en.Message, "(gave up after 3 attempts).") {
			n++
		}
	}
	return n
}
