package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// auditRow is one record of the staff audit trail.
type auditRow struct {
	ID         int64     `gorm:"primaryKey;index:idx_audit_client,priority:2"`
	Time       time.Time `gorm:"not null;index"`
	ActorKind  string    `gorm:"size:16;not null;index:idx_audit_actor,priority:1"`
	ActorID    int64     `gorm:"not null;index:idx_audit_actor,priority:2"`
	ActorName  string    `gorm:"size:190;not null"`
	IP         string    `gorm:"size:64;not null"`
	Resource   string    `gorm:"size:32;not null;index:idx_audit_resource,priority:1"`
	ResourceID string    `gorm:"size:64;not null;index:idx_audit_resource,priority:2"`
	Action     string    `gorm:"size:32;not null"`
	ClientID   *int64    `gorm:"index:idx_audit_client,priority:1"`
	Before     string    `gorm:"type:text;not null"`
	After      string    `gorm:"type:text;not null"`
}

func (auditRow) TableName() string { return "audit_records" }

// auditEntry is one change to record.
type auditEntry struct {
	resource string
	id       string
	action   string
	clientID int64 // the client account the change concerns, 0 for none
	// before and after are domain values (nil for a creation or a
	// deletion); the record keeps the fields that differ.
	before, after any
	// secrets are secret fields that changed: the record says only that.
	secrets []string
}

func auditID(id int64) string { return strconv.FormatInt(id, 10) }

// audit writes the record of a change in the change's own transaction tx,
// when ctx carries an actor (links.WithActor): a change made through the
// API cannot happen without its record. An update that changed nothing is
// not recorded.
func audit(ctx context.Context, tx *gorm.DB, e auditEntry) error {
	actor, ok := links.ActorFrom(ctx)
	if !ok {
		return nil
	}
	before, after := links.AuditDiff(links.AuditFields(e.before), links.AuditFields(e.after))
	for _, s := range e.secrets {
		if after == nil {
			after = map[string]any{}
		}
		after[s] = links.SecretChanged
	}
	if e.action == links.AuditUpdate && len(before) == 0 && len(after) == 0 {
		return nil
	}
	row := auditRow{Time: time.Now().UTC(), ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name,
		IP: actor.IP, Resource: e.resource, ResourceID: e.id, Action: e.action, Before: jsonText(before), After: jsonText(after)}
	if e.clientID != 0 {
		row.ClientID = &e.clientID
	}
	return tx.Create(&row).Error
}

func jsonText(m map[string]any) string {
	if m == nil {
		return "null"
	}
	data, err := json.Marshal(m)
	if err != nil {
		return "null"
	}
	return string(data)
}

func auditFromRow(r auditRow) links.AuditRecord {
	rec := links.AuditRecord{ID: r.ID, Time: r.Time, ActorKind: r.ActorKind, ActorID: r.ActorID, ActorName: r.ActorName,
		IP: r.IP, Resource: r.Resource, ResourceID: r.ResourceID, Action: r.Action, ClientID: r.ClientID}
	_ = json.Unmarshal([]byte(r.Before), &rec.Before)
	_ = json.Unmarshal([]byte(r.After), &rec.After)
	return rec
}

// ListAudit returns one page of audit records, newest first, and the total
// that match.
func (s *Store) ListAudit(ctx context.Context, f links.AuditFilter) ([]links.AuditRecord, int64, error) {
	q := s.db.WithContext(ctx).Model(&auditRow{})
	if f.ActorKind != "" {
		q = q.Where("actor_kind = ?", f.ActorKind)
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Resource != "" {
		q = q.Where("resource = ?", f.Resource)
	}
	if f.ResourceID != "" {
		q = q.Where("resource_id = ?", f.ResourceID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ClientID != 0 {
		q = q.Where("client_id = ?", f.ClientID)
	}
	if f.From != nil {
		q = q.Where("time >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("time < ?", f.To.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "audit records")
	}
	var rows []auditRow
	if err := q.Order("id DESC").Offset(f.Offset()).Limit(f.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "audit records")
	}
	out := make([]links.AuditRecord, len(rows))
	for i, r := range rows {
		out[i] = auditFromRow(r)
	}
	return out, total, nil
}

// PurgeAudit deletes the records older than before, a batch at a time, and
// returns how many went.
func (s *Store) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	for {
		var ids []int64
		db := s.db.WithContext(ctx)
		if err := db.Model(&auditRow{}).Where("time < ?", before.UTC()).Order("id").Limit(1000).Pluck("id", &ids).Error; err != nil {
			return n, translate(err, "audit records")
		}
		if len(ids) == 0 {
			return n, nil
		}
		res := db.Where("id IN ?", ids).Delete(&auditRow{})
		if res.Error != nil {
			return n, translate(res.Error, "audit records")
		}
		n += res.RowsAffected
	}
}
