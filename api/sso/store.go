package sso

import (
	"context"
	"time"

	"github.com/applinks/applinks/api/links"
)

// Store is what single sign-on needs from the database: the union of the
// interfaces below, one for each use, so that a test double or another
// storage implements only the part it is about.
type Store interface {
	TargetStore
	TokenStore
	EventStore
	CredentialStore
	AccountStore
}

// TargetStore finds what a sign-in leads to: the account, service and link
// of a click or a panel session, an application's link setting, and the
// service's server to open a panel session on.
type TargetStore interface {
	SSOClickTarget(ctx context.Context, subscriberID string) (links.SSOClickTarget, error)
	SSOServiceTarget(ctx context.Context, serviceID int64) (links.SSOClickTarget, error)
	LinkSetting(ctx context.Context, module, key string) (links.LinkSetting, bool, error)
	ServerConn(ctx context.Context, id int64) (links.ServerConn, error)
}

// TokenStore keeps the one-time tokens, by hash.
type TokenStore interface {
	CreateSSOToken(ctx context.Context, t links.SSOToken, ev *links.SSOEvent) (links.SSOToken, error)
	SSOToken(ctx context.Context, hash string) (links.SSOToken, error)
	ConsumeSSOToken(ctx context.Context, hash string, now time.Time, ev *links.SSOEvent) (links.SSOToken, bool, error)
	PurgeSSOTokens(ctx context.Context, expiredBefore time.Time) (int64, error)
}

// EventStore keeps the audit of every attempt.
type EventStore interface {
	RecordSSOEvent(ctx context.Context, e links.SSOEvent) error
	ListSSOEvents(ctx context.Context, f links.SSOEventFilter) ([]links.SSOEvent, int64, error)
}

// CredentialStore keeps the trusted applications' API credentials.
type CredentialStore interface {
	CreateAPICredential(ctx context.Context, c links.APICredential, secretHash string) (links.APICredential, error)
	ListAPICredentials(ctx context.Context) ([]links.APICredential, error)
	APICredentialByIdentifier(ctx context.Context, identifier string) (links.APICredential, string, error)
	APICredential(ctx context.Context, id int64) (links.APICredential, error)
	RevokeAPICredential(ctx context.Context, id int64, at time.Time) error
	TouchAPICredential(ctx context.Context, id int64, at time.Time) error
}

// AccountStore reads the client-area users and their accounts, and changes
// what a user may change of their own login.
type AccountStore interface {
	Client(ctx context.Context, id int64) (links.Client, error)
	Membership(ctx context.Context, clientID, userID int64) (links.Membership, error)
	User(ctx context.Context, id int64) (links.User, error)
	UserClients(ctx context.Context, userID int64) ([]links.Client, []links.Membership, error)
	UserCredentials(ctx context.Context, email string) (links.User, string, error)
	UpdateUser(ctx context.Context, id int64, name, email *string) (links.User, error)
	EndUserSessions(ctx context.Context, id int64) error
}
