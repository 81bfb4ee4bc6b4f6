package provisioning

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
)

// The batcher frees a request's slot once the panel answered, but holds a
// place for the batch until its record is written: with records slower
// than answers (a busy database), at most maxUnrecorded batches per cap
// slot wait for their record, instead of every answered batch of the
// server. The test lets one record through only when that many wait.
func TestBatcherBoundsUnrecordedBatches(t *testing.T) {
	const perServer, batches = 2, 40
	limit := maxUnrecorded * perServer
	var mu sync.Mutex
	waiting, most := 0, 0
	record := make(chan struct{})
	b := &batcher{ctx: context.Background(), size: 1, slots: make(chan struct{}, perServer),
		unrecorded: make(chan struct{}, limit),
		send: func(_ []links.Attempt, _ mode, free func()) {
			free() // the panel answered
			mu.Lock()
			waiting++
			most = max(most, waiting)
			mu.Unlock()
			<-record // the record waits for the database
			mu.Lock()
			waiting--
			mu.Unlock()
		}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range batches {
			b.add(modePush, links.Attempt{})
		}
		b.wait(false)
	}()
	for left := batches; left > 0; left-- {
		for { // until as many wait as may (the rest, at the end)
			mu.Lock()
			n := waiting
			mu.Unlock()
			if n >= min(limit, left) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		record <- struct{}{}
	}
	<-done
	if most != limit {
		t.Fatalf("%d batches waited for their record at most, want %d", most, limit)
	}
}
