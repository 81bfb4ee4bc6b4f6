package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// A batch record confirming a pending rotation locks the batch's locations,
// then the credential; a move of that service locks the credential (its
// rotation), then the location (leaveLocation). On MariaDB they deadlock
// and InnoDB rolls back the lighter transaction, the move: it is tried
// again (it returned the raw 1213 error, a 500 for a valid move).
func TestAMoveThatDeadlocksWithABatchRecordIsTriedAgain(t *testing.T) {
	if len(storetest.Dialects()) < 2 {
		t.Skip("MariaDB only")
	}
	s := storetest.New(t, store.DialectMySQL)
	ctx := context.Background()
	a := newServer(t, s, "cpa", "a.example.test", true)
	b := newServer(t, s, "cpb", "b.example.test", true)
	c := newClient(t, s, "c@acme.test")
	var x links.Service
	var users []any
	for i := 0; i < 10; i++ {
		svc := newService(t, s, c.ID, a.ID, fmt.Sprintf("u%02d", i), links.ServiceActive)
		users = append(users, svc.Username)
		if i == 0 {
			x = svc
		}
	}
	// A rotation of x is pending at version 2.
	if _, err := s.QueueTargeted(ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRotation, Spec: "{}"},
		links.OpTarget{Rotate: true, ServiceID: x.ID, ServerID: a.ID}); err != nil {
		t.Fatal(err)
	}
	// The record's transaction: the batch's confirmed locations first.
	tx, err := s.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	marks := strings.TrimSuffix(strings.Repeat("?,", len(users)), ",")
	args := append([]any{"fp:2", time.Now().UTC(), a.ID, ""}, users...)
	if _, err := tx.ExecContext(ctx, store.ConfirmGroupSQL+marks+")", args...); err != nil {
		t.Fatal(err)
	}
	// Meanwhile staff move x to server b.
	moved := make(chan error, 1)
	go func() {
		_, _, err := s.UpdateService(ctx, x.ID, links.ServicePatch{ServerID: &b.ID})
		moved <- err
	}()
	time.Sleep(500 * time.Millisecond) // the move holds the credential and waits for u00
	// The record confirms the rotation (its version was pending).
	_, recErr := tx.ExecContext(ctx, store.ConfirmRotationSQL, time.Now().UTC(), 2, x.ID)
	if recErr == nil {
		_ = tx.Commit()
	}
	err = <-moved
	t.Logf("record: %v; move: %v", recErr, err)
	if err != nil {
		t.Fatalf("the move failed with %v (code %q): a deadlock surfaces as a 500", err, links.ErrorCode(err))
	}
}
