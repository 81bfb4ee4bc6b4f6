package store

import (
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
// kept is still the one of the token the panel was last confirmed with;
// after the confirmation, it is the current one's.

// rotateSQL replaces a credential's token and bumps its version, keeping
// the previous hash unless one is still pending (arguments: the sealed
// token, its hash, the service). MySQL assigns left to right, each
// assignment seeing the ones before it: prev_token_hash must come first.
const rotateSQL = "UPDATE link_credentials SET prev_token_hash = CASE WHEN prev_token_hash = '' OR prev_confirmed_at IS NOT NULL" +
	" THEN token_hash ELSE prev_token_hash END, prev_confirmed_at = NULL, token_enc = ?, token_hash = ?, version = version + 1" +
	" WHERE service_id = ?"

// rotateCredential gives a service's credential a new token, in tx.
func (s *Store) rotateCredential(tx *gorm.DB, serviceID int64) error {
	token, err := secret.Token(32)
	if err != nil {
		return err
	}
	sealed, err := s.box.Seal(token, linkTokenAAD(serviceID))
	if err != nil {
		return err
	}
	return tx.Exec(rotateSQL, sealed, secret.Hash(token), serviceID).Error
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
