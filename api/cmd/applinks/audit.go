package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/applinks/applinks/api/store"
)

// purgeAudit deletes the audit records older than retention, at start and
// then hourly, until ctx ends.
func purgeAudit(ctx context.Context, db *store.Store, retention time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := db.PurgeAudit(ctx, time.Now().Add(-retention)); err != nil && ctx.Err() == nil {
			logger.Warn("audit: purge failed", "err", err)
		} else if n > 0 {
			logger.Info("audit: purged old records", "records", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
