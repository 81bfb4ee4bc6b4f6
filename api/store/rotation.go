package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/applinks/applinks/api/links"
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
var rotatedColumns = []string{"prev_token_hash", "unconfirmed_hashes", "prev_confirmed_at", "token_enc", "token_hash", "version",
	"updated_at", "issued_gen"}

// rotateCredentials gives the credentials of the listed services new
// tokens issued under gen (see linkCredentialRow.IssuedGen), in tx; a
// service without one (no username yet) is skipped.
func (s *Store) rotateCredentials(tx *gorm.DB, ids []int64, gen int64) error {
	var rows []linkCredentialRow
	if err := locked(tx).Where("service_id IN ?", ids).Find(&rows).Error; err != nil || len(rows) == 0 {
		return err
	}
	now := s.now()
	for i := range rows {
		if err := s.rotate(&rows[i], now, gen); err != nil {
			return err
		}
	}
	// Every row exists and is locked: the insert always turns into the update.
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "service_id"}},
		DoUpdates: clause.AssignmentColumns(rotatedColumns)}).Create(&rows).Error
}

// rotate gives a credential row its next token and version, issued under
// gen.
func (s *Store) rotate(c *linkCredentialRow, now time.Time, gen int64) error {
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
	c.TokenEnc, c.TokenHash, c.Version, c.UpdatedAt, c.IssuedGen = sealed, secret.Hash(token), c.Version+1, now, gen
	return nil
}

// rotateServices rotates the credential of each service of the list (issued
// under gen), in tx, and lets their locations be tried again at once.
func (s *Store) rotateServices(tx *gorm.DB, ids []int64, gen int64) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), rotateChunk)]
		ids = ids[len(chunk):]
		if err := s.rotateCredentials(tx, chunk, gen); err != nil {
			return err
		}
		if err := tx.Exec("UPDATE link_states SET failed_fp = '', attempts = 0, next_attempt_at = NULL, last_error = ''"+
			" WHERE service_id IN ?", chunk).Error; err != nil {
			return err
		}
	}
	return nil
}

// staleCredentialsSQL lists the next services of a server whose credential
// was issued under an earlier rotation of every secret than one; arguments:
// the server, the rotation, the last service listed, the limit.
const staleCredentialsSQL = "SELECT lc.service_id FROM link_credentials lc JOIN services sv ON sv.id = lc.service_id" +
	" WHERE sv.server_id = ? AND lc.issued_gen < ? AND lc.service_id > ? ORDER BY lc.service_id LIMIT ?"

// RotateServer applies the server's latest rotation of every secret
// (servers.rotate_gen), unless it was (rotated_gen), read now: the caller
// read the server's open progress row before, so a rotation asked with that
// row is seen. The credentials of its services issued under an earlier one
// get new tokens issued under it, rotateChunk per transaction fenced by
// owner's lease (links.ErrLeaseLost when it is gone); then it is recorded
// as applied. A holder that stops halfway leaves the rest to the next one:
// the credentials it rotated are no longer issued under an earlier one.
// No clock is compared: the rotations are counted.
func (s *Store) RotateServer(ctx context.Context, serverID int64, owner string, ttl time.Duration) error {
	var gen, done int64
	err := s.reader.QueryRowContext(ctx, "SELECT rotate_gen, rotated_gen FROM servers WHERE id = ?", serverID).Scan(&gen, &done)
	if err != nil || done >= gen {
		return translate(s.dbErr(err), fmt.Sprintf("server %d", serverID))
	}
	q := staleCredentialsSQL
	if s.dialect == DialectMySQL {
		// A locking read sees the latest rows, and a move of one of these
		// services waits for the transaction (or, committed first, takes
		// it off the list): none is rotated here once moved away.
		q += " FOR UPDATE"
	}
	for after := int64(0); ; {
		var ids []int64
		err := s.txRetry(ctx, func(tx *gorm.DB) error {
			// GORM's connection in a transaction is the *sql.Tx.
			if err := fence(ctx, tx.Statement.ConnPool, s.now().Add(ttl), serverID, owner); err != nil {
				return err
			}
			ids = nil
			if err := tx.Raw(q, serverID, gen, after, rotateChunk).Scan(&ids).Error; err != nil {
				return err
			}
			if len(ids) == 0 {
				return tx.Exec("UPDATE servers SET rotated_gen = ? WHERE id = ? AND rotated_gen < ?", gen, serverID, gen).Error
			}
			return s.rotateServices(tx, ids, gen)
		})
		if errors.Is(err, links.ErrLeaseLost) {
			return err
		}
		if err != nil || len(ids) == 0 {
			return translate(err, fmt.Sprintf("server %d", serverID))
		}
		after = ids[len(ids)-1]
	}
}
