package store

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// externalIDTables are the tables whose rows carry a billing system's id.
var externalIDTables = []struct {
	row   any
	table string
	index string
}{
	{&clientRow{}, "clients", "idx_clients_external_id"},
	{&serviceRow{}, "services", "idx_services_external_id"},
}

// migrateExternalIDs is the migration 2026120710_external_ids.
func migrateExternalIDs(tx *gorm.DB) error {
	for _, t := range externalIDTables {
		if err := addColumns(tx, t.row, "ExternalID"); err != nil {
			return err
		}
		if err := createIndexes(tx, t.row, t.index); err != nil {
			return err
		}
	}
	return exactExternalIDs(tx)
}

// exactExternalIDs makes MySQL compare external ids byte for byte, as
// SQLite does: under MySQL's default collation "A-1" and "a-1" would be one
// id, and trailing spaces would be ignored.
func exactExternalIDs(tx *gorm.DB) error {
	if tx.Dialector.Name() != "mysql" {
		return nil
	}
	for _, t := range externalIDTables {
		q := "ALTER TABLE " + t.table + " MODIFY external_id VARCHAR(190) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL"
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}

// externalIDValue is the stored form of an external id: NULL for none.
func externalIDValue(id string) *string { return nullable(id) }

// checkExternalIDFree refuses an external id that another row of the table
// (model) already has; except is the row being changed (0 for a new one).
func checkExternalIDFree(tx *gorm.DB, model any, what, id string, except int64) error {
	if id == "" {
		return nil
	}
	var n int64
	if err := tx.Model(model).Where("external_id = ? AND id <> ?", id, except).Count(&n).Error; err != nil {
		return err
	} else if n > 0 {
		return &links.Error{Code: links.ECONFLICT, Field: "external_id", Message: fmt.Sprintf("Another %s already has the external_id %q.", what, id)}
	}
	return nil
}
