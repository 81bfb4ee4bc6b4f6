package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/applinks/applinks/api/links"
)

// ApplicationSettings returns whether the application is enabled and its
// stored link overrides (none until the links are first saved).
func (s *Store) ApplicationSettings(ctx context.Context, module string) (bool, []links.LinkSetting, error) {
	db := s.db.WithContext(ctx)
	var apps []applicationRow
	if err := db.Where("module = ?", module).Limit(1).Find(&apps).Error; err != nil {
		return false, nil, translate(err, "application")
	}
	var rows []linkSettingRow
	if err := db.Where("module = ?", module).Order("sort_order").Find(&rows).Error; err != nil {
		return false, nil, translate(err, "link settings")
	}
	out := make([]links.LinkSetting, len(rows))
	for i, r := range rows {
		out[i] = linkSetting(r)
	}
	return len(apps) == 1 && apps[0].Enabled, out, nil
}

func linkSetting(r linkSettingRow) links.LinkSetting {
	target := r.Target
	if target == "" {
		target = links.TargetClientArea
	}
	return links.LinkSetting{Key: r.Key, Label: r.Label, Enabled: r.Enabled, Order: r.Order,
		Target: target, URLTemplate: r.URLTemplate, Handoff: r.Handoff, Route: r.Route, Removed: r.Removed}
}

// LinkSetting returns the stored setting of one link of an application;
// found is false while the links were never saved (every link then goes to
// the client area).
func (s *Store) LinkSetting(ctx context.Context, module, key string) (links.LinkSetting, bool, error) {
	var rows []linkSettingRow
	err := s.db.WithContext(ctx).Where("module = ? AND link_key = ?", module, key).Limit(1).Find(&rows).Error
	if err != nil {
		return links.LinkSetting{}, false, translate(err, "link settings")
	}
	if len(rows) == 0 {
		return links.LinkSetting{}, false, nil
	}
	return linkSetting(rows[0]), true, nil
}

// SaveLinkSettings replaces the application's link overrides, stores its
// new fingerprint (op.Fingerprint) and, when the application is enabled,
// queues op (a configuration) in the same transaction. It returns the queued operation, or nil.
func (s *Store) SaveLinkSettings(ctx context.Context, module string, settings []links.LinkSetting, op links.NewOperation) (*links.Operation, error) {
	var queued *links.Operation
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		now := s.now()
		// The application's row first: a save at the same time is waited
		// for, so the settings read next are the latest (a custom link it
		// added and this one drops is marked removed).
		if err := tx.Exec(lockApplicationSQL, now, module).Error; err != nil {
			return err
		}
		var old []linkSettingRow
		if err := tx.Where("module = ?", module).Order("sort_order").Find(&old).Error; err != nil {
			return err
		}
		rows := make([]linkSettingRow, len(settings))
		for i, st := range settings {
			rows[i] = linkSettingRow{Module: module, Key: st.Key, Label: st.Label, Enabled: st.Enabled, Order: st.Order,
				Target: st.Target, URLTemplate: st.URLTemplate, Handoff: st.Handoff, Route: st.Route, UpdatedAt: now}
		}
		rows = append(rows, removedCustomLinks(old, settings, now)...)
		if err := tx.Where("module = ?", module).Delete(&linkSettingRow{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
		err := audit(ctx, tx, auditEntry{resource: links.AuditApplication, id: module, action: links.AuditConfigure,
			before: linkSettingsAudit(old), after: linkSettingsAudit(rows)})
		if err != nil {
			return err
		}
		if op.Fingerprint != "" {
			if err := tx.Model(&applicationRow{}).Where("module = ?", module).Update("fingerprint", op.Fingerprint).Error; err != nil {
				return err
			}
		}
		var apps []applicationRow
		if err := tx.Where("module = ?", module).Limit(1).Find(&apps).Error; err != nil {
			return err
		}
		if len(apps) == 0 || !apps[0].Enabled {
			return nil
		}
		o, err := s.queueOp(tx, op)
		queued = &o
		return err
	})
	if err != nil {
		return nil, translate(err, "link settings")
	}
	return queued, nil
}

// SetApplicationEnabled switches the application on or off and queues op (an
// activation or deactivation) in the same transaction. Switching to the
// state it is in is a conflict, and so is enabling without an active server.
func (s *Store) SetApplicationEnabled(ctx context.Context, module string, enabled bool, op links.NewOperation) (links.Operation, error) {
	var out links.Operation
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&applicationRow{Module: module}).Error; err != nil {
			return err
		}
		var app applicationRow
		if err := locked(tx).Take(&app, "module = ?", module).Error; err != nil {
			return err
		}
		a, _ := links.ApplicationByModule(module)
		if app.Enabled == enabled {
			if enabled {
				return links.Errorf(links.ECONFLICT, "Application Links for %s are already enabled.", a.Name)
			}
			return links.Errorf(links.ECONFLICT, "Application Links for %s are already disabled.", a.Name)
		}
		if enabled {
			var n int64
			if err := tx.Model(&serverRow{}).Where("module = ? AND active = ?", module, true).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return links.Errorf(links.ECONFLICT, "You can't enable Application Links for %s until you configure at least one active server and assign it to the %s module.", a.Name, module)
			}
		}
		res := tx.Model(&applicationRow{}).Where("module = ? AND enabled = ?", module, !enabled).
			Updates(map[string]any{"enabled": enabled, "updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return links.Errorf(links.ECONFLICT, "Application Links for %s changed at the same time; reload and try again.", a.Name)
		}
		var err error
		if out, err = s.queueOp(tx, op); err != nil {
			return err
		}
		action := links.AuditDisable
		if enabled {
			action = links.AuditEnable
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditApplication, id: module, action: action,
			before: map[string]any{"enabled": !enabled}, after: map[string]any{"enabled": enabled, "operation_id": out.ID}})
	})
	return out, translate(err, fmt.Sprintf("application %s", module))
}

// MaxRemovedCustomLinks is how many removed custom links an application
// remembers (the most recently removed): each push removes them from the
// account it pushes to.
const MaxRemovedCustomLinks = 20

// removedCustomLinks are the rows that mark the custom links of old that
// settings no longer lists, or that were marked already, as removed: a
// custom link listed again is simply stored again. The most recently
// removed MaxRemovedCustomLinks are kept.
func removedCustomLinks(old []linkSettingRow, settings []links.LinkSetting, now time.Time) []linkSettingRow {
	listed := make(map[string]bool, len(settings))
	for _, st := range settings {
		listed[st.Key] = true
	}
	var fresh, earlier []linkSettingRow
	for _, r := range old {
		if listed[r.Key] || !links.IsCustomKey(r.Key) {
			continue
		}
		if r.Removed {
			earlier = append(earlier, r)
			continue
		}
		r.Removed, r.Enabled, r.UpdatedAt = true, false, now
		fresh = append(fresh, r)
	}
	// The links removed now come first whatever the clocks' precision.
	slices.SortStableFunc(earlier, func(a, b linkSettingRow) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	out := append(fresh, earlier...)
	if len(out) > MaxRemovedCustomLinks {
		out = out[:MaxRemovedCustomLinks]
	}
	return out
}

// linkSettingsAudit is what the audit trail keeps of a link configuration:
// each link's label, switch, order and target (and a custom link's path),
// by key. Removed custom links are not part of it.
func linkSettingsAudit(rows []linkSettingRow) map[string]any {
	out := make(map[string]any, len(rows))
	for _, r := range rows {
		if r.Removed {
			continue
		}
		st := linkSetting(r)
		entry := map[string]any{"label": r.Label, "enabled": r.Enabled, "order": r.Order,
			"target": st.Target, "url_template": r.URLTemplate, "handoff": r.Handoff}
		if links.IsCustomKey(r.Key) {
			entry["custom"], entry["route"] = true, r.Route
		}
		out[r.Key] = entry
	}
	return out
}

// locked makes tx's next read a locking one (FOR UPDATE) on MySQL: it
// reads the latest committed rows, not the transaction's snapshot, and
// holds them until the end, so what is written from it cannot have changed
// meanwhile. SQLite transactions take the write lock up front
// (_txlock=immediate).
func locked(tx *gorm.DB) *gorm.DB {
	if tx.Dialector.Name() != DialectMySQL {
		return tx
	}
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}
