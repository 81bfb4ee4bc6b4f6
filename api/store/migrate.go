package store

import (
	"context"
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// migrations are the versioned schema changes after the initial schema, in
// order. A fresh database gets the current schema from initSchema and every
// migration below is marked as applied; an existing database runs the ones it
// has not seen. Never edit a released migration: append a new one.
//
// When a row type changes, append a migration that makes exactly that change
// (addColumns(tx, &row{}, "Field"), createIndexes, ...), so that
// databases created before the change catch up.
var migrations = []*gormigrate.Migration{
	{
		// The provisioning cursor scanned every service of every server
		// (by status, then a sort) for each batch: O(accounts) per batch.
		ID: "2026112901_services_server_id_id",
		Migrate: func(tx *gorm.DB) error {
			return createIndexes(tx, &serviceRow{}, "idx_services_server_id")
		},
	},
	{
		// Every batch updated its operation's row (counters), so the
		// commits of all the servers worked at once queued on that row.
		// Counters now live on the tasks and are summed when read. Tasks
		// already finished keep their counters in the operation row
		// (in_op_totals); an open task's counters move out of it, since
		// its next commits go to the task only. Its warnings and its
		// support stay in the row: the task's new columns start at zero.
		ID: "2026112902_task_counters",
		Migrate: func(tx *gorm.DB) error {
			if err := addColumns(tx, &serverTaskRow{}, "Warnings", "Supported", "InOpTotals"); err != nil {
				return err
			}
			open := []string{"pending", "running"}
			for _, col := range []string{"accounts_total", "accounts_done", "accounts_failed"} {
				err := tx.Exec("UPDATE operations SET "+col+" = "+col+" - COALESCE((SELECT SUM(t."+col+
					") FROM server_tasks t WHERE t.operation_id = operations.id AND t.state IN ?), 0)", open).Error
				if err != nil {
					return err
				}
			}
			return tx.Exec("UPDATE server_tasks SET in_op_totals = ? WHERE state NOT IN ?", true, open).Error
		},
	},
	{
		// Sessions end on sign-out and on password, role or active changes:
		// tokens carry the version they were issued at.
		ID: "2026120601_session_versions",
		Migrate: func(tx *gorm.DB) error {
			if err := addColumns(tx, &adminRow{}, "SessionVersion"); err != nil {
				return err
			}
			return addColumns(tx, &userRow{}, "SessionVersion")
		},
	},
	{
		// A server's SSO source addresses (empty: any), and the index the
		// server page reads its recent click sources by.
		ID: "2026120602_server_sso_sources",
		Migrate: func(tx *gorm.DB) error {
			if err := addColumns(tx, &serverRow{}, "SSOSources"); err != nil {
				return err
			}
			return createIndexes(tx, &ssoEventRow{}, "idx_sso_events_server_time")
		},
	},
	{
		// The staff audit trail.
		ID: "2026120604_audit_records",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, &auditRow{})
		},
	},
	{
		// Per link, where a redeemed click lands: the client area or an
		// external URL template, with an optional signed hand-off.
		ID: "2026120620_link_targets",
		Migrate: func(tx *gorm.DB) error {
			return addColumns(tx, &linkSettingRow{}, "Target", "URLTemplate", "Handoff")
		},
	},
	{
		// The Ed25519 keys that sign hand-off assertions.
		ID: "2026120621_signing_keys",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, &signingKeyRow{})
		},
	},
	{
		// Webhook subscriptions and their outbox of deliveries.
		ID: "2026120701_webhooks",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, &webhookRow{}, &webhookDeliveryRow{})
		},
	},
	{
		// The reconciler: server generations, the application fingerprint,
		// credential versions, progress rows' target generation, and one
		// link_states row per account location. Rows carried over are
		// marked '?legacy' (the engine's first start confirms them or
		// pushes them once) and every active server is due once.
		ID:      "2026120610_reconciler",
		Migrate: migrateReconciler,
	},
	{
		// Link secret rotation: the previous token hash, accepted until
		// the panel confirmed the new one.
		ID: "2026120720_link_rotation",
		Migrate: func(tx *gorm.DB) error {
			return addColumns(tx, &linkCredentialRow{}, "PrevTokenHash")
		},
	},
	{
		// The billing system's ids of clients and services (batch
		// upserts address them by it): NULL for none, unique when set.
		ID:      "2026120710_external_ids",
		Migrate: migrateExternalIDs,
	},
	{
		// The log viewer's account filter of then (its indexes are
		// 2026120920_log_accounts' now).
		ID:      "2026120730_log_filters",
		Migrate: migrateLogFilters,
	},
	{
		// Custom links: a link's own client-area path, and the mark of
		// a removed custom link that pushes still remove.
		ID: "2026120740_custom_links",
		Migrate: func(tx *gorm.DB) error {
			return addColumns(tx, &linkSettingRow{}, "Route", "Removed")
		},
	},
	{
		// A real import is a background job: its row (state, counts, a
		// lease) and the accounts its server listed.
		ID: "2026120750_import_jobs",
		Migrate: func(tx *gorm.DB) error {
			return createTables(tx, &importJobRow{}, &importAccountRow{})
		},
	},
	{
		// Rotation grace: when the panel confirmed a rotation, so that the
		// previous token stays accepted for a grace period after it.
		ID: "2026120760_rotation_grace",
		Migrate: func(tx *gorm.DB) error {
			return addColumns(tx, &linkCredentialRow{}, "PrevConfirmedAt")
		},
	},
	{
		// A server's give-ups in a row (its backoff) were counted in the
		// memory of each process.
		ID: "2026120770_server_give_ups",
		Migrate: func(tx *gorm.DB) error {
			return addColumns(tx, &serverRow{}, "GiveUps")
		},
	},
	{
		// The tokens a second rotation replaced before the panel confirmed
		// the first one's: accepted as the previous token is.
		ID: "2026120780_unconfirmed_tokens",
		Migrate: func(tx *gorm.DB) error {
			return addColumns(tx, &linkCredentialRow{}, "UnconfirmedHashes")
		},
	},
	{
		// The configuration fingerprint of the last engine started, which
		// the other processes compare with theirs before working a server,
		// and when a process that has it last held it.
		ID: "2026120790_config_fingerprint",
		Migrate: func(tx *gorm.DB) error {
			return addColumns(tx, &applicationRow{}, "ConfigFP", "ConfigAt")
		},
	},
	{
		// A rotation of every secret rotated all of the module's credentials
		// in the intent's transaction (about 50 s at a million accounts);
		// each server's worker now applies it, a chunk at a time.
		ID: "2026120800_server_rotations",
		Migrate: func(tx *gorm.DB) error {
			return addColumns(tx, &serverRow{}, "RotateBefore")
		},
	},
	{
		// A rotation of every secret compared the request's time with the
		// tokens' issue times, written by the clocks of other replicas; it
		// now counts the rotations (servers.rotate_gen, rotated_gen) and
		// records on each credential the one that issued it (issued_gen). A
		// request pending at the upgrade becomes the first rotation: every
		// credential of its servers is rotated (those issued after it too,
		// which is harmless).
		ID: "2026120900_rotation_generations",
		Migrate: func(tx *gorm.DB) error {
			if err := addColumns(tx, &serverRow{}, "RotateGen", "RotatedGen"); err != nil {
				return err
			}
			if err := addColumns(tx, &linkCredentialRow{}, "IssuedGen"); err != nil {
				return err
			}
			return tx.Exec("UPDATE servers SET rotate_gen = rotated_gen + 1, rotate_before = NULL WHERE rotate_before IS NOT NULL").Error
		},
	},
	{
		ID: "2026120920_log_accounts", Migrate: migrateLogAccounts,
	},
}

// migrateLogAccounts is the migration 2026120920_log_accounts: each entry
// names its account by username (log_entries.account), so that the
// account filter also finds the entries of a service deleted or moved
// away; the entries written before take their service's username, in
// ranges of ids (on MariaDB each is a statement of its own, so that a long
// log is not locked whole). The filter's indexes before are dropped; the
// log gets (operation_id, account) and (module, account), for an account's
// history across operations.
func migrateLogAccounts(tx *gorm.DB) error {
	if err := addColumns(tx, &logEntryRow{}, "Account"); err != nil {
		return err
	}
	if err := createIndexes(tx, &logEntryRow{}, "idx_log_entries_op_account", "idx_log_entries_module_account"); err != nil {
		return err
	}
	m := tx.Migrator()
	for _, ix := range []struct {
		row  any
		name string
	}{{&logEntryRow{}, "idx_log_entries_op_service"}, {&serviceRow{}, "idx_services_username"}} {
		if m.HasIndex(ix.row, ix.name) {
			if err := m.DropIndex(ix.row, ix.name); err != nil {
				return err
			}
		}
	}
	var last int64
	if err := tx.Raw("SELECT COALESCE(MAX(id), 0) FROM log_entries").Scan(&last).Error; err != nil {
		return err
	}
	const fill = `UPDATE log_entries SET account = (SELECT s.username FROM services s WHERE s.id = log_entries.service_id)
		WHERE id > ? AND id <= ? AND service_id IS NOT NULL
		AND EXISTS (SELECT 1 FROM services s WHERE s.id = log_entries.service_id AND s.username IS NOT NULL)`
	for from := int64(0); from < last; from += 10_000 {
		if err := tx.Exec(fill, from, from+10_000).Error; err != nil {
			return err
		}
	}
	return nil
}

// migrateLogFilters is the migration 2026120730_log_filters. Its indexes
// (services by username, the log by service) served the log's account
// filter, which reads log_entries.account since 2026120920_log_accounts:
// that migration drops them, and this one creates nothing any more.
func migrateLogFilters(*gorm.DB) error { return nil }

// migrateReconciler is the migration 2026120610_reconciler.
func migrateReconciler(tx *gorm.DB) error {
	if err := addColumns(tx, &serverRow{}, "WantedGen", "DoneGen", "WakeAt"); err != nil {
		return err
	}
	if err := addColumns(tx, &applicationRow{}, "Fingerprint"); err != nil {
		return err
	}
	if err := addColumns(tx, &linkCredentialRow{}, "Version"); err != nil {
		return err
	}
	if err := addColumns(tx, &serverTaskRow{}, "TargetGen"); err != nil {
		return err
	}
	if err := createIndexes(tx, &serverRow{}, "idx_servers_due"); err != nil {
		return err
	}
	if err := createTables(tx, &linkStateRow{}); err != nil {
		return err
	}
	err := tx.Exec(`INSERT INTO link_states (server_id, username, service_id, module, confirmed_fp, attempts, last_error, failed_fp)
		SELECT s.server_id, s.username, s.id, sv.module, ?, 0, '', ''
		FROM services s JOIN servers sv ON sv.id = s.server_id
		WHERE s.username IS NOT NULL AND s.username <> ''`, links.ConfirmedLegacy).Error
	if err != nil {
		return err
	}
	return tx.Exec("UPDATE servers SET wanted_gen = 1 WHERE active = ?", true).Error
}

// addColumns adds to row's table those of the fields that it lacks (a
// migration may run again after a failure part-way).
func addColumns(tx *gorm.DB, row any, fields ...string) error {
	for _, f := range fields {
		if !tx.Migrator().HasColumn(row, f) {
			if err := tx.Migrator().AddColumn(row, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// createIndexes creates those of row's named indexes that are missing.
func createIndexes(tx *gorm.DB, row any, names ...string) error {
	for _, n := range names {
		if !tx.Migrator().HasIndex(row, n) {
			if err := tx.Migrator().CreateIndex(row, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// createTables creates those of the rows' tables that are missing.
func createTables(tx *gorm.DB, rows ...any) error {
	for _, r := range rows {
		if !tx.Migrator().HasTable(r) {
			if err := tx.Migrator().CreateTable(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// initSchema creates every table of the current schema on an empty database.
func initSchema(tx *gorm.DB) error {
	if err := tx.AutoMigrate(allRows()...); err != nil {
		return err
	}
	return exactExternalIDs(tx)
}

// Migrate brings the schema up to date. It is safe to run from several
// processes at once on MySQL: the first one migrates, the others find the
// migrations applied (gormigrate records them in the migrations table).
func (s *Store) Migrate(ctx context.Context) error {
	return s.db.WithContext(ctx).Connection(func(pinned *gorm.DB) error {
		// A fresh session per use, so that statements do not leak into
		// each other, all on the one pinned connection.
		conn := func() *gorm.DB { return pinned.Session(&gorm.Session{NewDB: true}) }
		if s.dialect == DialectMySQL {
			// Serialise concurrent starts of several replicas. GET_LOCK
			// belongs to the session, hence the one dedicated connection.
			var got int
			if err := conn().Raw("SELECT GET_LOCK('applinks_migrate', 60)").Scan(&got).Error; err != nil || got != 1 {
				return fmt.Errorf("store: take the migration lock: %v", err)
			}
			defer conn().Exec("SELECT RELEASE_LOCK('applinks_migrate')")
		}
		m := gormigrate.New(conn(), &gormigrate.Options{
			TableName:                 "schema_migrations",
			IDColumnName:              "id",
			IDColumnSize:              190,
			UseTransaction:            s.dialect == DialectSQLite,
			ValidateUnknownMigrations: true,
		}, migrations)
		m.InitSchema(initSchema)
		if err := m.Migrate(); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		s.resetReaders()
		return nil
	})
}

// resetReaders closes SQLite's idle read connections after the migrations
// (there is no other use yet). A read connection expands SELECT * with
// the schema it read last, and notices a change only once the statement
// runs, after the driver took the column names: one that looked at a
// table before a migration changed it (the migrator's checks go through
// the read pool) would read its first rows without the new columns.
func (s *Store) resetReaders() {
	if s.reader == s.writer {
		return
	}
	n := s.reader.Stats().MaxOpenConnections
	s.reader.SetMaxIdleConns(0)
	s.reader.SetMaxIdleConns(n)
}
