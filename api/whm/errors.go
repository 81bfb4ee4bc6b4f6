package whm

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/applinks/applinks/api/links"
)

// PanelError is a WHM function that the panel ran and refused: it answered
// metadata.result=0. Reason is the panel's own text with the
// "API failure: (XID xxx) " prefix stripped and every secret sent with the
// request (the API token, link tokens) replaced by "[REDACTED]".
//
// A PanelError is never temporary: the panel answered, and asking again the
// same way gets the same answer.
type PanelError struct {
	Server   string // the server's name (or host name when it has none)
	Function string // the WHM function, e.g. "create_integration_link"
	Reason   string // the panel's message, scrubbed
	XID      string // the panel's error id, when it gave one
}

// Error implements the error interface; the message names the server.
func (e *PanelError) Error() string {
	return fmt.Sprintf("whm server %q: %s: %s", e.Server, e.Function, e.Reason)
}

// Temporary reports false: the panel answered and refused.
func (e *PanelError) Temporary() bool { return false }

// noUserReason opens the panel's answer about an account it does not have:
// "You do not have a user named “bob”." (WHM-PROTOCOL.md, section 2).
const noUserReason = "You do not have a user named "

// Unwrap returns links.ErrNoAccount when the panel has no such account.
func (e *PanelError) Unwrap() error {
	if strings.HasPrefix(e.Reason, noUserReason) {
		return links.ErrNoAccount
	}
	return nil
}

// ErrorKind classifies a TransportError.
type ErrorKind string

// Kinds of TransportError. The comment says whether the kind is temporary.
const (
	KindTimeout    ErrorKind = "timeout"     // no answer in time: temporary
	KindCanceled   ErrorKind = "canceled"    // the caller's context was canceled: not temporary
	KindConnection ErrorKind = "connection"  // refused, reset, closed early: temporary (unknown host: not)
	KindTLS        ErrorKind = "tls"         // certificate not trusted, or no TLS on that port: not temporary
	KindHTTPStatus ErrorKind = "http_status" // an unexpected HTTP status: 5xx, 408 and 429 temporary
	KindAuth       ErrorKind = "auth"        // 401/403, "Access denied", "Permission Denied": not temporary
	KindNotJSON    ErrorKind = "not_json"    // an HTML page or other text, or a cut-off answer: temporary
	KindMalformed  ErrorKind = "malformed"   // complete JSON, but not a WHM API 1 answer: not temporary
	KindTooLarge   ErrorKind = "too_large"   // the answer exceeds the size cap: not temporary
	KindRefused    ErrorKind = "refused"     // a cpanelresult or top-level error answer: not temporary
	KindConfig     ErrorKind = "config"      // the server's settings are unusable (bad host name): not temporary
	KindAddress    ErrorKind = "address"     // the address guard refused the server's address (see netguard.CheckAddress): not temporary
)

// TransportError is a call that did not get a usable WHM API 1 answer: the
// network failed, the HTTP status was wrong, authentication failed, or the body
// was not a WHM envelope. Message is safe to log (secrets scrubbed) and the
// Error text names the server.
type TransportError struct {
	Server    string
	Function  string
	Kind      ErrorKind
	Status    int    // the HTTP status when an answer arrived, else 0
	Message   string // what went wrong, scrubbed
	Err       error  // the underlying cause, if any (for errors.Is / errors.As)
	temporary bool
}

// Error implements the error interface; the message names the server.
func (e *TransportError) Error() string {
	return fmt.Sprintf("whm server %q: %s: %s", e.Server, e.Function, e.Message)
}

// Temporary reports whether retrying later may succeed: timeouts, refused or
// reset connections, HTTP 5xx and HTML pages from a flaky proxy.
func (e *TransportError) Temporary() bool { return e.temporary }

// Unwrap returns the underlying cause, so that errors.Is(err,
// context.Canceled) and similar checks work.
func (e *TransportError) Unwrap() error { return e.Err }

// xidPrefix matches the "API failure: (XID abc123) " prefix of panel reasons.
var xidPrefix = regexp.MustCompile(`^\s*(?:API failure:\s*)?\(XID ([^)]*)\)\s*`)

// splitReason strips the XID prefix from a panel reason and returns both parts.
func splitReason(reason string) (msg, xid string) {
	if m := xidPrefix.FindStringSubmatchIndex(reason); m != nil {
		return strings.TrimSpace(reason[m[1]:]), reason[m[2]:m[3]]
	}
	return strings.TrimSpace(reason), ""
}

// minSecretLen is the shortest value the scrubber replaces: shorter "secrets"
// would shred ordinary words in messages and protect nothing.
const minSecretLen = 4

// scrubber replaces secrets in text that may reach a log or a user.
type scrubber struct {
	secrets []string
	// fill, when set, adds the secrets the first time text is scrubbed:
	// most calls succeed and never need them.
	fill func(*scrubber)
}

// add records a secret, with its URL-encoded forms (a panel may echo either).
func (s *scrubber) add(secret string) {
	if len(secret) < minSecretLen {
		return
	}
	for _, v := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
		if !slices.Contains(s.secrets, v) {
			s.secrets = append(s.secrets, v)
		}
	}
}

// addArgs records the secret values of a WHM call's arguments.
func (s *scrubber) addArgs(args url.Values) {
	for k, vs := range args {
		if isSecretArg(k) {
			for _, v := range vs {
				s.add(v)
			}
		}
	}
}

// isSecretArg tells which WHM arguments carry secrets.
func isSecretArg(name string) bool {
	switch strings.ToLower(name) {
	case "token", "password", "pass", "api_token", "accesshash":
		return true
	}
	return false
}

// scrub returns text with every known secret replaced. Longer secrets go
// first so that a secret containing another is replaced whole.
func (s *scrubber) scrub(text string) string {
	if s == nil {
		return text
	}
	if fill := s.fill; fill != nil {
		s.fill = nil
		fill(s)
	}
	if len(s.secrets) == 0 {
		return text
	}
	order := slices.Clone(s.secrets)
	slices.SortStableFunc(order, func(a, b string) int { return len(b) - len(a) })
	for _, v := range order {
		text = strings.ReplaceAll(text, v, "[REDACTED]")
	}
	return text
}

// MissingLinksError is an account of UpdateLinkTokens that lacks some of the
// links whose token was to be replaced. errors.Is(err, links.ErrLinkMissing)
// holds. It carries no secret.
type MissingLinksError struct {
	Server string
	User   string
	Apps   []string // the missing links
}

// Error implements the error interface; the message names the server.
func (e *MissingLinksError) Error() string {
	return fmt.Sprintf("whm server %q: %s: the account %s has no link %s", e.Server, FnUpdateIntegrationLinkToken,
		e.User, strings.Join(e.Apps, ", "))
}

// Unwrap returns links.ErrLinkMissing.
func (e *MissingLinksError) Unwrap() error { return links.ErrLinkMissing }

// Temporary reports false: the link stays missing until it is pushed.
func (e *MissingLinksError) Temporary() bool { return false }
