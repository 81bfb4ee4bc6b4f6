package links

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// ServerConn is everything a panel needs to reach one server. APIToken is the
// decrypted secret; it never leaves the process.
type ServerConn struct {
	ID        int64
	Module    string
	Name      string
	Hostname  string
	Port      int
	Secure    bool // https when true, plain http otherwise
	VerifyTLS bool
	Username  string
	APIToken  string
	// Timeout bounds one HTTP request to the server; zero means the panel's default.
	Timeout time.Duration
}

// Support is the result of a panel's support check of one server.
type Support struct {
	Supported bool   `json:"supported"`
	Reason    string `json:"reason,omitempty"` // why not, when Supported is false
	Version   string `json:"version"`
	Profile   string `json:"profile"`
}

// GroupSpec is the menu group every pushed link belongs to.
type GroupSpec struct {
	ID    string
	Label string
	Order int
}

// LinkSpec is one link as pushed to a panel account. The same specs are pushed
// to every account; only the credentials differ per account.
type LinkSpec struct {
	App               string // cPanel app name: <prefix>_<key>
	Label             string
	Order             int
	Implements        string // billing, support, upgrade or empty
	AutologinTokenURL string
	URL               string // fallback when the autologin call fails
	// SubURL, when set, gives each account a fallback of its own: URL (which
	// has a query) followed by "&sub=" and the account's subscriber id,
	// query-escaped, as FallbackPageURL makes it; an account without a
	// subscriber id gets URL. Data rather than a function, so that a panel
	// encodes URL once per request and only the id per account.
	SubURL    bool
	Base64PNG string // optional icon
}

// FallbackURL is the url the link carries on the account acct (see
// SubURL). Push and drift detection both use it, so they agree.
func (l LinkSpec) FallbackURL(acct AccountCreds) string {
	if l.SubURL && acct.SubscriberUniqueID != "" {
		return l.URL + SubQuery(acct.SubscriberUniqueID)
	}
	return l.URL
}

// SubQueryKey opens the query parameter that names the subscriber id in a
// fallback url with a query.
const SubQueryKey = "&sub="

// SubQuery is what a fallback url with a query gets appended for the
// subscriber id sub: SubQueryKey and sub, query-escaped (SubValue).
func SubQuery(sub string) string { return SubQueryKey + SubValue(sub) }

// SubValue is the subscriber id sub as the fallback url carries it.
func SubValue(sub string) string { return url.QueryEscape(sub) }

// AccountCreds are one account's link credentials in plain text, decrypted
// just before the push. The same SubscriberUniqueID and Token go on every link
// of the account.
type AccountCreds struct {
	Username           string
	SubscriberUniqueID string
	Token              string
	// ServiceID is the billing service the account belongs to; zero when
	// unknown.
	ServiceID int64
}

// PushRequest asks a panel to make a set of accounts carry exactly Links in
// Group and to remove the apps in Remove.
type PushRequest struct {
	Group    GroupSpec
	Links    []LinkSpec
	Remove   []string // app names to remove (disabled links)
	Accounts []AccountCreds
}

// RemoveRequest asks a panel to remove the apps and the group from accounts.
type RemoveRequest struct {
	GroupID   string
	Apps      []string
	Usernames []string
}

// AccountResult is the outcome for one account of a push or a removal. Err is
// nil on success; otherwise it carries the panel's message (secrets scrubbed).
type AccountResult struct {
	Username string
	Err      error
}

// ReadRequest asks a panel which of our links and whether our group a set of
// accounts carry (for verify: drift detection).
type ReadRequest struct {
	GroupID string // our menu group
	// Prefix names our links: a listed link whose app is <Prefix>_<...> is
	// ours, and reported.
	Prefix string
	// Apps are the apps whose stored fields are read (those the accounts
	// should carry); a link of ours outside them is reported by name only.
	Apps      []string
	Usernames []string
}

// FoundLink is one of our links as a panel stores it; never its token.
type FoundLink struct {
	App string
	// Read is false for a link that was listed but whose fields were not read
	// (its app was not in ReadRequest.Apps): then only App is known.
	Read               bool
	Label              string
	Order              int
	GroupID            string
	Implements         string
	URL                string
	AutologinTokenURL  string
	SubscriberUniqueID string
}

// AccountLinks is what one account carries, as a panel reported it. Err is
// non-nil when the account could not be read (no such account, not the
// caller's, a panel failure; secrets scrubbed), and then nothing else counts.
type AccountLinks struct {
	Username string
	Links    []FoundLink // ours, sorted by app
	// HasGroup tells whether the group ReadRequest.GroupID exists. (The
	// protocol lists group ids only: a group's label and order cannot be
	// read back.)
	HasGroup bool
	Err      error
}

// AccountToken is one account's new link token, in plain text.
type AccountToken struct {
	Username string
	Token    string
}

// TokenRequest asks a panel to replace the token of the existing links Apps
// of each account, without recreating them (the subscriber id stays).
type TokenRequest struct {
	Apps     []string
	Accounts []AccountToken
}

// ErrLinkMissing is the per-account error of UpdateLinkTokens when one of
// the links to update does not exist on the account: the caller then pushes
// the account in full instead. Check it with errors.Is.
var ErrLinkMissing = errors.New("the link does not exist on the account")

// ErrNoAccount is the per-account error of a panel that has no such
// account (deleted, or never created there): it carries no links, so a
// removal from it is done and a read of it finds nothing.
var ErrNoAccount = errors.New("the panel has no such account")

// PanelAccount is one hosting account as listed by a panel.
type PanelAccount struct {
	Username  string `json:"username"`
	Domain    string `json:"domain"`
	Email     string `json:"email"`
	Suspended bool   `json:"suspended"`
}

// Panel is one control panel type (cPanel & WHM, WP Squared). Adding a panel
// to the product is writing one more type that implements it.
//
// Methods return a non-nil error only when the whole call failed (transport,
// authentication, a garbage answer); per-account refusals are reported in the
// AccountResult slice, one entry per requested account, in request order.
type Panel interface {
	// Module is the application key, e.g. "cpanel" or "wpsquared".
	Module() string
	// CheckSupport tells whether the server supports application links.
	CheckSupport(ctx context.Context, s ServerConn) (Support, error)
	// PushLinks creates the group and links on each account and removes the others.
	PushLinks(ctx context.Context, s ServerConn, req PushRequest) ([]AccountResult, error)
	// RemoveLinks removes the links and the group from each account.
	RemoveLinks(ctx context.Context, s ServerConn, req RemoveRequest) ([]AccountResult, error)
	// ReadLinks reports, for each account in request order, our links it
	// carries with their stored fields and whether it has our group.
	ReadLinks(ctx context.Context, s ServerConn, req ReadRequest) ([]AccountLinks, error)
	// UpdateLinkTokens gives the existing links of each account the
	// account's new token; an account lacking one of them fails with an
	// error that errors.Is ErrLinkMissing.
	UpdateLinkTokens(ctx context.Context, s ServerConn, req TokenRequest) ([]AccountResult, error)
	// CreateSession returns a one-time login URL into the account's panel.
	CreateSession(ctx context.Context, s ServerConn, username string) (string, error)
	// ListAccounts lists the hosting accounts on the server.
	ListAccounts(ctx context.Context, s ServerConn) ([]PanelAccount, error)
	// CloseIdle closes the connections kept open to the server that no
	// call is using; the next call opens a new one.
	CloseIdle(s ServerConn)
}

// IsTemporary reports whether err is a transport failure worth retrying (a
// timeout, a refused connection, an HTTP 5xx), as opposed to a panel that
// answered and refused. Errors opt in with a Temporary() bool method.
func IsTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}
