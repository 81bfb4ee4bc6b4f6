package store

import (
	"context"
	"encoding/base64"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/applinks/applinks/api/links"
)

// signingKeyRow is an Ed25519 key pair of the signed hand-off. The private
// seed is sealed (bound to the key id). Slot is 1 for the one active key and
// NULL for retired ones: the unique index lets several replicas race to
// create the first key, or to rotate, and leaves exactly one active.
type signingKeyRow struct {
	ID            int64      `gorm:"primaryKey"`
	KID           string     `gorm:"column:kid;size:64;not null;uniqueIndex"`
	PublicKey     string     `gorm:"size:64;not null"`
	PrivateKeyEnc string     `gorm:"type:text;not null"`
	Slot          *int       `gorm:"uniqueIndex"`
	CreatedAt     time.Time  `gorm:"not null"`
	RetiredAt     *time.Time `gorm:"index"`
}

func (signingKeyRow) TableName() string { return "signing_keys" }

func signingKeyAAD(kid string) string { return "signing_key:" + kid + ":private" }

func (s *Store) signingKeyRow(k links.SigningKey, now time.Time) (signingKeyRow, error) {
	sealed, err := s.box.Seal(base64.RawStdEncoding.EncodeToString(k.PrivateKey), signingKeyAAD(k.KID))
	if err != nil {
		return signingKeyRow{}, err
	}
	one := 1
	return signingKeyRow{KID: k.KID, PublicKey: base64.RawStdEncoding.EncodeToString(k.PublicKey),
		PrivateKeyEnc: sealed, Slot: &one, CreatedAt: now}, nil
}

// SigningKeys returns the active signing key and the keys retired after
// since, newest first, with their private seeds opened.
func (s *Store) SigningKeys(ctx context.Context, since time.Time) ([]links.SigningKey, error) {
	var rows []signingKeyRow
	err := s.db.WithContext(ctx).Where("slot IS NOT NULL OR retired_at > ?", since).Order("id DESC").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "signing keys")
	}
	out := make([]links.SigningKey, 0, len(rows))
	for _, r := range rows {
		pub, err := base64.RawStdEncoding.DecodeString(r.PublicKey)
		if err != nil {
			return nil, err
		}
		seed, err := s.box.Open(r.PrivateKeyEnc, signingKeyAAD(r.KID))
		if err != nil {
			return nil, err
		}
		priv, err := base64.RawStdEncoding.DecodeString(seed)
		if err != nil {
			return nil, err
		}
		out = append(out, links.SigningKey{KID: r.KID, PublicKey: pub, PrivateKey: priv, CreatedAt: r.CreatedAt, RetiredAt: r.RetiredAt})
	}
	return out, nil
}

// EnsureSigningKey stores k as the active key unless there is one already
// (another replica's, created meanwhile): the first need of a key. It is
// the system's doing, not audited.
func (s *Store) EnsureSigningKey(ctx context.Context, k links.SigningKey) error {
	row, err := s.signingKeyRow(k, s.now())
	if err != nil {
		return err
	}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	return translate(err, "signing key")
}

// RotateSigningKey retires the active key (it stays published for
// links.SigningKeyGrace), makes k the active one and deletes keys retired
// longer ago than that, in one audited transaction.
func (s *Store) RotateSigningKey(ctx context.Context, k links.SigningKey) error {
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		now := s.now()
		var old []signingKeyRow
		if err := locked(tx).Where("slot IS NOT NULL").Find(&old).Error; err != nil {
			return err
		}
		before := map[string]any{}
		if len(old) == 1 {
			before["active_kid"] = old[0].KID
			res := tx.Model(&signingKeyRow{}).Where("id = ?", old[0].ID).Updates(map[string]any{"slot": nil, "retired_at": now})
			if res.Error != nil {
				return res.Error
			}
		}
		if err := tx.Where("retired_at < ?", now.Add(-links.SigningKeyGrace)).Delete(&signingKeyRow{}).Error; err != nil {
			return err
		}
		row, err := s.signingKeyRow(k, now)
		if err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditSigningKey, id: k.KID, action: links.AuditRotate,
			before: before, after: map[string]any{"active_kid": k.KID}})
	})
	return translate(err, "signing key")
}
