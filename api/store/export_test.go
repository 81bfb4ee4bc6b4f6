package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// HoldRecords makes the RecordBatch calls for the server and owner queue as
// behind a transaction being written. Queued reports how many wait; Write
// writes them as that transaction's writer does (those queued together in
// one transaction) and lets them return.
func (s *Store) HoldRecords(serverID int64, owner string) (queued func() int, write func(context.Context, time.Duration)) {
	held := &queuedRecord{rec: links.BatchRecord{ServerID: serverID, Owner: owner}, done: make(chan struct{})}
	if !s.records.join(held) {
		panic("HoldRecords: a transaction of the server is being written")
	}
	k := recordKey{serverID, owner}
	queued = func() int {
		s.records.mu.Lock()
		defer s.records.mu.Unlock()
		return len(s.records.waiting[k])
	}
	write = func(ctx context.Context, ttl time.Duration) {
		for next := s.records.next(held.rec); next != nil; next = s.records.next(held.rec) {
			s.writeRecords(ctx, ttl, next)
		}
	}
	return queued, write
}

// TakeOverWithInterleave runs what CreateService does for a new service at
// (serverID, username), in one transaction, calling between its first read
// and placeLocation.
func TakeOverWithInterleave(ctx context.Context, s *Store, clientID, serverID int64, username, module string, between func()) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&linkStateRow{}).Where("server_id = ?", serverID).Count(&n).Error; err != nil { // the snapshot
			return err
		}
		row := serviceRow{ClientID: clientID, ServerID: serverID, Username: &username, Status: "Active"}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		id = row.ID
		between()
		return placeLocation(tx, row.ID, serverID, username, module)
	})
	return id, err
}

// Writer is the store's write pool, and ConfirmGroupSQL and
// ConfirmRotationSQL (one service) the statements a batch record runs in
// that order, for a test that interleaves them with another transaction.
func (s *Store) Writer() *sql.DB { return s.writer }

const (
	ConfirmGroupSQL    = confirmGroupSQLHead
	ConfirmRotationSQL = confirmRotationsSQLHead + "?)"
)
