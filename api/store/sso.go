package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// Times compared in SQL are always passed in UTC at microsecond precision, so
// that SQLite's text timestamps (one fixed format, "+00:00" suffix) order
// the same way as MySQL's DATETIME values.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func optional(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// SSOClickTarget resolves a cPanel click's subscriber id, in one indexed
// query, to the stored token hash, the service, its server's state and the
// client.
func (s *Store) SSOClickTarget(ctx context.Context, subscriberID string) (links.SSOClickTarget, error) {
	return s.ssoTarget(ctx, "lc.subscriber_unique_id = ?", subscriberID)
}

// SSOServiceTarget is SSOClickTarget by service id: the service, its
// server's state and the client in one query, for the checks of a
// redemption.
func (s *Store) SSOServiceTarget(ctx context.Context, serviceID int64) (links.SSOClickTarget, error) {
	return s.ssoTarget(ctx, "sv.id = ?", serviceID)
}

func (s *Store) ssoTarget(ctx context.Context, where string, arg any) (links.SSOClickTarget, error) {
	var r struct {
		TokenHash       *string
		PrevTokenHash   *string
		Unconfirmed     *string
		PrevConfirmedAt *time.Time
		ServiceID       int64
		ClientID        int64
		ServerID        int64
		Username        *string
		Domain          string
		ServiceStatus   string
		Module          string
		ServerActive    bool
		SSOSources      string
		ClientName      string
		ClientStatus    string
		AllowSSO        bool
		OwnerUserID     int64
		ServiceCreated  time.Time
		ServiceExtID    *string
		ClientExtID     *string
	}
	res := s.db.WithContext(ctx).Table("services AS sv").
		Select(`lc.token_hash, lc.prev_token_hash, lc.unconfirmed_hashes AS unconfirmed, lc.prev_confirmed_at, sv.id AS service_id, sv.client_id, sv.server_id, sv.username, sv.domain,
			sv.status AS service_status, srv.module, srv.active AS server_active, srv.sso_sources, c.name AS client_name,
			c.status AS client_status, c.allow_sso, c.owner_user_id, sv.created_at AS service_created,
			sv.external_id AS service_ext_id, c.external_id AS client_ext_id`).
		Joins("LEFT JOIN link_credentials lc ON lc.service_id = sv.id").
		Joins("JOIN servers srv ON srv.id = sv.server_id").
		Joins("JOIN clients c ON c.id = sv.client_id").
		Where(where, arg).Limit(1).Scan(&r)
	if res.Error != nil {
		return links.SSOClickTarget{}, translate(res.Error, "service")
	}
	if res.RowsAffected == 0 {
		return links.SSOClickTarget{}, links.Errorf(links.ENOTFOUND, "No such service or link credential.")
	}
	svc := links.Service{ID: r.ServiceID, ClientID: r.ClientID, ServerID: r.ServerID, Module: r.Module,
		Domain: r.Domain, Status: r.ServiceStatus, CreatedAt: r.ServiceCreated, ExternalID: r.ServiceExtID}
	if r.Username != nil {
		svc.Username = *r.Username
	}
	out := links.SSOClickTarget{
		Service: svc, ServerActive: r.ServerActive, SSOSources: splitList(r.SSOSources),
		Client: links.Client{ID: r.ClientID, Name: r.ClientName, Status: r.ClientStatus, AllowSSO: r.AllowSSO, OwnerUserID: r.OwnerUserID,
			ExternalID: r.ClientExtID},
	}
	if r.TokenHash != nil {
		out.TokenHash = *r.TokenHash
	}
	if r.PrevTokenHash != nil {
		out.PrevTokenHash = *r.PrevTokenHash
	}
	if r.Unconfirmed != nil {
		out.UnconfirmedHashes = strings.Fields(*r.Unconfirmed)
	}
	if r.PrevConfirmedAt != nil {
		t := r.PrevConfirmedAt.UTC()
		out.PrevConfirmedAt = &t
	}
	return out, nil
}

// ServiceLinkCreds returns a service's link credentials in plain text, as a
// panel push needs them (and tests that push links themselves).
func (s *Store) ServiceLinkCreds(ctx context.Context, serviceID int64) (links.AccountCreds, error) {
	var row linkCredentialRow
	db := s.db.WithContext(ctx)
	if err := db.Take(&row, "service_id = ?", serviceID).Error; err != nil {
		return links.AccountCreds{}, translate(err, fmt.Sprintf("link credentials of service %d", serviceID))
	}
	var svc serviceRow
	if err := db.Take(&svc, serviceID).Error; err != nil {
		return links.AccountCreds{}, translate(err, fmt.Sprintf("service %d", serviceID))
	}
	token, err := s.box.Open(row.TokenEnc, linkTokenAAD(serviceID))
	if err != nil {
		return links.AccountCreds{}, err
	}
	out := links.AccountCreds{SubscriberUniqueID: row.SubscriberUniqueID, Token: token}
	if svc.Username != nil {
		out.Username = *svc.Username
	}
	return out, nil
}

func ssoTokenFromRow(r ssoTokenRow) links.SSOToken {
	t := links.SSOToken{
		ID: r.ID, Hash: r.TokenHash, UserID: r.UserID, ClientID: r.ClientID, Destination: r.Destination,
		RedirectPath: r.RedirectPath, Issuer: r.Issuer, ExpiresAt: r.ExpiresAt.UTC(), UsedAt: r.UsedAt, CreatedAt: r.CreatedAt,
	}
	if r.ServiceID != nil {
		t.ServiceID = *r.ServiceID
	}
	return t
}

// CreateSSOToken stores a new token (its hash only) and, when ev is given,
// the audit event of its issue in the same transaction: one commit on the
// path a customer waits on.
func (s *Store) CreateSSOToken(ctx context.Context, t links.SSOToken, ev *links.SSOEvent) (links.SSOToken, error) {
	row := ssoTokenRow{
		TokenHash: t.Hash, UserID: t.UserID, ClientID: t.ClientID, ServiceID: optional(t.ServiceID),
		Destination: t.Destination, RedirectPath: t.RedirectPath, Issuer: t.Issuer, ExpiresAt: utc(t.ExpiresAt),
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if ev != nil {
			return s.recordSSOEvent(tx, *ev)
		}
		return nil
	})
	if err != nil {
		return links.SSOToken{}, translate(err, "SSO token")
	}
	return ssoTokenFromRow(row), nil
}

// SSOToken returns the token with this hash as stored; an unknown hash is
// ENOTFOUND.
func (s *Store) SSOToken(ctx context.Context, hash string) (links.SSOToken, error) {
	var row ssoTokenRow
	if err := s.db.WithContext(ctx).Take(&row, "token_hash = ?", hash).Error; err != nil {
		return links.SSOToken{}, translate(err, "SSO token")
	}
	return ssoTokenFromRow(row), nil
}

// ConsumeSSOToken marks the token with this hash used, atomically: one
// conditional UPDATE that only an unused, unexpired token passes, so that of
// any number of concurrent redemptions exactly one wins. It returns the token
// and whether this call consumed it; a token that is not consumed is
// returned as stored (used or expired), so the caller can say why. An
// unknown hash is ENOTFOUND. When this call consumes the token and ev is
// given, the audit event is written in the same transaction.
func (s *Store) ConsumeSSOToken(ctx context.Context, hash string, now time.Time, ev *links.SSOEvent) (links.SSOToken, bool, error) {
	now = utc(now)
	var row ssoTokenRow
	var consumed bool
	err := s.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&ssoTokenRow{}).
			Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", hash, now).
			Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		consumed = res.RowsAffected == 1
		if consumed && ev != nil {
			if err := s.recordSSOEvent(tx, *ev); err != nil {
				return err
			}
		}
		return tx.Take(&row, "token_hash = ?", hash).Error
	})
	if err != nil {
		return links.SSOToken{}, false, translate(err, "SSO token")
	}
	return ssoTokenFromRow(row), consumed, nil
}

// PurgeSSOTokens deletes the tokens that expired before the given time and
// returns how many.
func (s *Store) PurgeSSOTokens(ctx context.Context, expiredBefore time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at < ?", utc(expiredBefore)).Delete(&ssoTokenRow{})
	return res.RowsAffected, translate(res.Error, "SSO tokens")
}

func ssoEventFromRow(r ssoEventRow) links.SSOEvent {
	return links.SSOEvent{
		ID: r.ID, Time: r.Time.UTC(), Kind: r.Kind, UserID: r.UserID, ClientID: r.ClientID, ServiceID: r.ServiceID,
		Source: r.Source, ServerID: r.ServerID, CredentialID: r.CredentialID, Destination: r.Destination,
		Outcome: r.Outcome, Reason: r.Reason, IP: r.IP,
	}
}

// RecordSSOEvent appends one line to the SSO audit, with its webhook
// deliveries in the same transaction.
func (s *Store) RecordSSOEvent(ctx context.Context, e links.SSOEvent) error {
	return translate(s.tx(ctx, func(tx *gorm.DB) error { return s.recordSSOEvent(tx, e) }), "SSO event")
}

// recordSSOEvent writes an SSO event in tx and, if it is one subscribers
// can hear of (sso.redeemed, sso.refused), its outbox rows.
func (s *Store) recordSSOEvent(tx *gorm.DB, e links.SSOEvent) error {
	row := s.ssoEventRow(e)
	if err := tx.Create(row).Error; err != nil {
		return err
	}
	e = ssoEventFromRow(*row)
	if wh, ok := links.SSOWebhookEvent(e); ok {
		return s.EnqueueWebhookTx(tx, wh)
	}
	return nil
}

func (s *Store) ssoEventRow(e links.SSOEvent) *ssoEventRow {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	return &ssoEventRow{
		Time: utc(e.Time), Kind: e.Kind, UserID: e.UserID, ClientID: e.ClientID, ServiceID: e.ServiceID,
		Source: e.Source, ServerID: e.ServerID, CredentialID: e.CredentialID, Destination: truncate(e.Destination, 64),
		Outcome: e.Outcome, Reason: truncate(e.Reason, 64), IP: truncate(e.IP, 64),
	}
}

// ListSSOEvents returns one page of SSO events, newest first, and the total
// that match.
func (s *Store) ListSSOEvents(ctx context.Context, f links.SSOEventFilter) ([]links.SSOEvent, int64, error) {
	q := s.db.WithContext(ctx).Model(&ssoEventRow{})
	if f.ClientID != 0 {
		q = q.Where("client_id = ?", f.ClientID)
	}
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Outcome != "" {
		q = q.Where("outcome = ?", f.Outcome)
	}
	if f.Source != "" {
		q = q.Where("source = ?", f.Source)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "SSO events")
	}
	var rows []ssoEventRow
	if err := q.Order("id DESC").Offset(f.Offset()).Limit(f.PerPage).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "SSO events")
	}
	out := make([]links.SSOEvent, len(rows))
	for i, r := range rows {
		out[i] = ssoEventFromRow(r)
	}
	return out, total, nil
}

func apiCredentialFromRow(r apiCredentialRow) links.APICredential {
	return links.APICredential{
		ID: r.ID, Name: r.Name, Identifier: r.Identifier, Permissions: splitList(r.Permissions),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt,
	}
}

// CreateAPICredential stores a trusted application with the hash of its
// secret.
func (s *Store) CreateAPICredential(ctx context.Context, c links.APICredential, secretHash string) (links.APICredential, error) {
	row := apiCredentialRow{
		Name: c.Name, Identifier: c.Identifier, SecretHash: secretHash,
		Permissions: joinList(c.Permissions), CreatedBy: c.CreatedBy,
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditAPICredential, id: auditID(row.ID), action: links.AuditCreate,
			after: apiCredentialFromRow(row), secrets: []string{"secret"}})
	})
	if err != nil {
		return links.APICredential{}, translate(err, "an API credential with this identifier")
	}
	return apiCredentialFromRow(row), nil
}

// ListAPICredentials lists every API credential, revoked ones included.
func (s *Store) ListAPICredentials(ctx context.Context) ([]links.APICredential, error) {
	var rows []apiCredentialRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "API credentials")
	}
	out := make([]links.APICredential, len(rows))
	for i, r := range rows {
		out[i] = apiCredentialFromRow(r)
	}
	return out, nil
}

// APICredentialByIdentifier returns a credential and its secret hash.
func (s *Store) APICredentialByIdentifier(ctx context.Context, identifier string) (links.APICredential, string, error) {
	var row apiCredentialRow
	if err := s.db.WithContext(ctx).Take(&row, "identifier = ?", identifier).Error; err != nil {
		return links.APICredential{}, "", translate(err, "API credential")
	}
	return apiCredentialFromRow(row), row.SecretHash, nil
}

// APICredential returns a credential by its id.
func (s *Store) APICredential(ctx context.Context, id int64) (links.APICredential, error) {
	var row apiCredentialRow
	if err := s.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return links.APICredential{}, translate(err, fmt.Sprintf("API credential %d", id))
	}
	return apiCredentialFromRow(row), nil
}

// RevokeAPICredential revokes a credential; revoking twice is harmless.
func (s *Store) RevokeAPICredential(ctx context.Context, id int64, at time.Time) error {
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row apiCredentialRow
		if err := tx.Take(&row, id).Error; err != nil {
			return translate(err, fmt.Sprintf("API credential %d", id))
		}
		if row.RevokedAt != nil {
			return nil
		}
		before := apiCredentialFromRow(row)
		if err := tx.Model(&row).Update("revoked_at", utc(at)).Error; err != nil {
			return err
		}
		return audit(ctx, tx, auditEntry{resource: links.AuditAPICredential, id: auditID(id), action: links.AuditRevoke,
			before: before, after: apiCredentialFromRow(row)})
	})
	return translate(err, "API credential")
}

// TouchAPICredential records when a credential was last used.
func (s *Store) TouchAPICredential(ctx context.Context, id int64, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&apiCredentialRow{ID: id}).Update("last_used_at", utc(at)).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	return translate(err, "API credential")
}
