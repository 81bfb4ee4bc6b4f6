package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// logExportBatch is how many log rows LogEach reads per query.
const logExportBatch = 500

// logQuery applies f's filters (not its order or page) to the log entries.
func (s *Store) logQuery(ctx context.Context, f links.LogFilter) *gorm.DB {
	q := s.db.WithContext(ctx).Model(&logEntryRow{})
	if f.OperationID != 0 || f.Module == "" {
		q = q.Where("operation_id = ?", f.OperationID)
	} else {
		q = q.Where("module = ?", f.Module)
	}
	if f.Level != "" {
		q = q.Where("level = ?", f.Level)
	}
	if f.ServerID != 0 {
		q = q.Where("server_id = ?", f.ServerID)
	}
	if f.Account != "" {
		q = q.Where("account = ?", f.Account)
	}
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		q = q.Where("LOWER(message) LIKE ? ESCAPE '!'", like)
	}
	return q
}

// ListLog returns one page of an operation's log, in f.Order (oldest first
// unless OrderNewest), and the total.
func (s *Store) ListLog(ctx context.Context, f links.LogFilter) ([]links.LogEntry, int64, error) {
	var total int64
	if err := s.logQuery(ctx, f).Count(&total).Error; err != nil {
		return nil, 0, translate(err, "log entries")
	}
	order := "id"
	if f.Order == links.OrderNewest {
		order = "id DESC"
	}
	var rows []logEntryRow
	if err := s.logQuery(ctx, f).Order(order).Offset(f.Offset()).Limit(f.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "log entries")
	}
	out := make([]links.LogEntry, len(rows))
	for i, r := range rows {
		out[i] = logFromRow(r)
	}
	return out, total, nil
}

// LogEach calls fn with every entry that f selects (its page ignored), in
// f.Order, a batch at a time: the log is read by id ranges, never held
// whole, so an export of any size runs in constant memory.
func (s *Store) LogEach(ctx context.Context, f links.LogFilter, fn func([]links.LogEntry) error) error {
	newest := f.Order == links.OrderNewest
	var after int64 // the last id handed to fn; 0 before the first batch
	for {
		q := s.logQuery(ctx, f)
		switch {
		case newest && after != 0:
			q = q.Where("id < ?", after).Order("id DESC")
		case newest:
			q = q.Order("id DESC")
		default:
			q = q.Where("id > ?", after).Order("id")
		}
		var rows []logEntryRow
		if err := q.Limit(logExportBatch).Find(&rows).Error; err != nil {
			return translate(err, "log entries")
		}
		if len(rows) == 0 {
			return nil
		}
		out := make([]links.LogEntry, len(rows))
		for i, r := range rows {
			out[i] = logFromRow(r)
		}
		if err := fn(out); err != nil {
			return err
		}
		if len(rows) < logExportBatch {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}
