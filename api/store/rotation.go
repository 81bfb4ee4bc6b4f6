package store

import (
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/applinks/applinks/api/secret"
)

// Link secret rotation. A rotation gives a service's credential a new
// token (the subscriber id stays) and a new version, which changes the
// desired state of its location; the loop pushes the token. The previous
// token's hash is kept: while the rotation is pending (prev_confirmed_at
// NULL) and for the rotation grace after the panel confirmed the new
// version (RecordBatch sets prev_confirmed_at then), the SSO click check
// accepts it, so no click fails in between, not even one the panel sent
// with the old token just before it took the new one. After that the old
// token is refused.
//
// When a second rotation comes before the first was confirmed, the hash
// kept as previous is still the one of the token the panel was last
// confirmed with, and the replaced token, which a request may have carried
// to the panel without an answer, joins the unconfirmed hashes, accepted
// alike; after a confirmation, the next rotation starts a new list.

// maxUnconfirmed bounds the unconfirmed hashes kept (rotations in a row of
// an account whose panel confirms none).
const maxUnconfirmed = 8

// rotateChunk is how many credentials one locking read and one upsert
// rotate: set-wise rather than two statements per account (five times
// faster on MariaDB), and small enough for SQLite's driver, whose binding
// of a statement's parameters grows with their square (500 was slower).
const rotateChunk = 100

// rotatedColumns are the columns a rotation writes.
var rotatedColumns = []string{"prev_token_hash", "unconfirmed_hashes", "prev_confirmed_at", "token_enc", "token_hash", "version", "updated_at"}

// rotateCredentials gives the credentials of the listed services new
// tokens, in tx; a service without one (no username yet) is skipped.
func (s *Store) rotateCredentials(tx *gorm.DB, ids []int64) error {
	var rows []linkCredentialRow
	if err := tx.Clauses(lockingFor(s.dialect)...).Where("service_id IN ?", ids).Find(&rows).Error; err != nil || len(rows) == 0 {
		return err
	}
	now := s.now()
	for i := range rows {
		if err := s.rotate(&rows[i], now); err != nil {
			return err
		}
	}
	// Every row exists and is locked: the insert always turns into the update.
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "service_id"}},
		DoUpdates: clause.AssignmentColumns(rotatedColumns)}).Create(&rows).Error
}

// rotate gives a credential row its next token and version.
func (s *Store) rotate(c *linkCredentialRow, now time.Time) error {
	prev, unconfirmed := c.TokenHash, ""
	if c.PrevTokenHash != "" && c.PrevConfirmedAt == nil { // pending: the panel was last confirmed with prev
		prev = c.PrevTokenHash
		kept := append(strings.Fields(c.UnconfirmedHashes), c.TokenHash)
		unconfirmed = strings.Join(kept[max(0, len(kept)-maxUnconfirmed):], " ")
	}
	token, err := secret.Token(32)
	if err != nil {
		return err
	}
	sealed, err := s.box.Seal(token, linkTokenAAD(c.ServiceID))
	if err != nil {
		return err
	}
	c.PrevTokenHash, c.UnconfirmedHashes, c.PrevConfirmedAt = prev, unconfirmed, nil
	c.TokenEnc, c.TokenHash, c.Version, c.UpdatedAt = sealed, secret.Hash(token), c.Version+1, now
	return nil
}

// rotateServices rotates the credential of each service of the list, in tx,
// and lets their locations be tried again at once.
func (s *Store) rotateServices(tx *gorm.DB, ids []int64) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), rotateChunk)]
		ids = ids[len(chunk):]
		if err := s.rotateCredentials(tx, chunk); err != nil {
			return err
		}
		if err := tx.Exec("UPDATE link_states SET failed_fp = '', attempts = 0, next_attempt_at = NULL, last_error = ''"+
			" WHERE service_id IN ?", chunk).Error; err != nil {
			return err
		}
	}
	return nil
}
