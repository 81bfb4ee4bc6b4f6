package provisioning

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
)

// accountsOnly is a Store that only lists a server's accounts: n of them,
// with service ids 1..n.
type accountsOnly struct {
	Store
	n int64
}

func (s accountsOnly) PushAccounts(_ context.Context, _, afterID int64, limit int) ([]links.PushAccount, error) {
	var out []links.PushAccount
	for id := afterID + 1; id <= s.n && len(out) < limit; id++ {
		out = append(out, links.PushAccount{ServiceID: id})
	}
	return out, nil
}

// builds records when each batch's request was built.
type builds struct {
	mu sync.Mutex
	at []time.Time
}

func (b *builds) prepare([]links.PushAccount) links.PreparedCall {
	b.mu.Lock()
	b.at = append(b.at, time.Now())
	b.mu.Unlock()
	return nil
}

func (b *builds) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.at)
}

func (b *builds) when(i int) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.at[i]
}

func readerEngine(accounts int64) *Engine {
	return &Engine{cfg: Config{BatchSize: 1, PerServerCap: 2}, store: accountsOnly{n: accounts}, prep: make(chan struct{}, 1)}
}

// A reader ahead of its batches builds the next ones no sooner than half
// the server's last answer time after its ready batches are taken (the
// round being sent meanwhile), and still delivers every account in order.
func TestAReaderAheadPausesAfterItsBatchesAreTaken(t *testing.T) {
	ctx := context.Background()
	e := readerEngine(7)
	var b builds
	start := make(chan struct{})
	close(start)
	rd := e.readAccounts(ctx, 1, 0, start, &lull{}, b.prepare)
	defer rd.close()
	rd.lull.answeredIn(2 * maxLull) // waits maxLull

	// Two batches wait ready and a third is built, blocked: the reader is
	// ahead.
	for b.count() < 3 {
		time.Sleep(time.Millisecond)
	}
	var got []int64
	taken := time.Now() // the pause starts once the third gets in
	take := func() {
		batch, ok := <-rd.batches
		if !ok {
			t.Fatalf("the batches ended after %v", got)
		}
		got = append(got, batch.accounts[0].ServiceID)
	}
	take() // the third gets in: the reader pauses
	take()
	take()
	take() // the fourth: built after the pause
	if built := b.when(3); built.Sub(taken) < maxLull {
		t.Errorf("the fourth batch was built %v after the ready ones were taken, want at least %v", built.Sub(taken), maxLull)
	}
	rd.lull.answeredIn(0) // no wait from here
	for batch := range rd.batches {
		got = append(got, batch.accounts[0].ServiceID)
	}
	if rd.err != nil {
		t.Fatal(rd.err)
	}
	for i, id := range got {
		if id != int64(i+1) {
			t.Fatalf("accounts delivered %v, want 1 to 7 in order", got)
		}
	}
	if len(got) != 7 {
		t.Fatalf("accounts delivered %v, want 1 to 7", got)
	}
}

// The lull of a round begins half the server's answer time after the
// round's last request left, at most maxLull after it, and at once for a
// server that answers within 2 ms.
func TestTheLullBeginsHalfAnAnswerAfterTheLastRequest(t *testing.T) {
	var l lull
	at := time.Now()
	l.sent(at)
	for _, tc := range []struct{ answer, want time.Duration }{
		{30 * time.Millisecond, 15 * time.Millisecond},
		{time.Second, maxLull},
		{2 * time.Millisecond, minLull},
		{1900 * time.Microsecond, 0},
		{0, 0},
	} {
		l.answeredIn(tc.answer)
		if got, want := l.begins(), at.Add(tc.want); !got.Equal(want) {
			t.Errorf("lull after a %v answer begins %v after the request, want %v", tc.answer, got.Sub(at), tc.want)
		}
	}
	l.answeredIn(time.Second)
	l.sent(at.Add(time.Second))
	if got, want := l.begins(), at.Add(time.Second+maxLull); !got.Equal(want) {
		t.Errorf("lull after the next request begins at %v, want %v", got.Sub(at), want.Sub(at))
	}
}
