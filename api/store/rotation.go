package store

import (
	"strings"

	"gorm.io/gorm"

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

// rotateSQL writes a credential's new token and version (arguments: the
// previous hash, the unconfirmed hashes, the sealed token, its hash, the
// service).
const rotateSQL = "UPDATE link_credentials SET prev_token_hash = ?, unconfirmed_hashes = ?, prev_confirmed_at = NULL," +
	" token_enc = ?, token_hash = ?, version = version + 1 WHERE service_id = ?"

// rotateCredential gives a service's credential a new token, in tx.
func (s *Store) rotateCredential(tx *gorm.DB, serviceID int64) error {
	var rows []linkCredentialRow
	err := tx.Clauses(lockingFor(s.dialect)...).Select("token_hash", "prev_token_hash", "prev_confirmed_at", "unconfirmed_hashes").
		Where("service_id = ?", serviceID).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return err // no credential (no username yet): nothing to rotate
	}
	c := rows[0]
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
	sealed, err := s.box.Seal(token, linkTokenAAD(serviceID))
	if err != nil {
		return err
	}
	return tx.Exec(rotateSQL, prev, unconfirmed, sealed, secret.Hash(token), serviceID).Error
}

// rotateServices rotates the credential of each service of the list, in tx,
// and lets their locations be tried again at once.
func (s *Store) rotateServices(tx *gorm.DB, ids []int64) error {
	for _, id := range ids {
		if err := s.rotateCredential(tx, id); err != nil {
			return err
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := tx.Exec("UPDATE link_states SET failed_fp = '', attempts = 0, next_attempt_at = NULL, last_error = ''"+
			" WHERE service_id IN ?", ids[:n]).Error; err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
