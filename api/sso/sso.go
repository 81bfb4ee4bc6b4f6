// Package sso holds the rules of single sign-on: issuing one-time tokens for
// a cPanel click or a trusted application, redeeming them into a client-area
// session, deciding when a user may sign into a panel, the refusal reasons,
// the destinations, API credentials and the audit of every attempt.
//
// It imports only links and secret; the database is the Store interface
// declared in store.go (five small parts, by use), which the store package
// implements.
package sso

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// MaxTokenTTL is the longest an SSO token lives.
const MaxTokenTTL = 60 * time.Second

// TokenBytes is the entropy of an SSO token.
const TokenBytes = 32

// Limits are the abuse limits of the SSO endpoints, in requests per minute
// with a burst. The click comes from the cPanel server, not the customer, so
// its per-IP limit is per panel server and must be generous; the
// per-credential limit is per hosting account.
type Limits struct {
	ClickPerIP          float64
	ClickPerCredential  float64
	RedeemPerIP         float64
	TokenAPIPerIP       float64
	TokenAPIPerCred     float64
	PortalLoginPerIP    float64
	Burst               int
	PerCredentialBurst  int
	PanelSessionPerUser float64
}

// withDefaults fills every limit left zero from DefaultLimits (a zero rate
// would refuse every request).
func (l Limits) withDefaults() Limits {
	fill := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	fill(&l.ClickPerIP, DefaultLimits.ClickPerIP)
	fill(&l.ClickPerCredential, DefaultLimits.ClickPerCredential)
	fill(&l.RedeemPerIP, DefaultLimits.RedeemPerIP)
	fill(&l.TokenAPIPerIP, DefaultLimits.TokenAPIPerIP)
	fill(&l.TokenAPIPerCred, DefaultLimits.TokenAPIPerCred)
	fill(&l.PortalLoginPerIP, DefaultLimits.PortalLoginPerIP)
	fill(&l.PanelSessionPerUser, DefaultLimits.PanelSessionPerUser)
	if l.Burst <= 0 {
		l.Burst = DefaultLimits.Burst
	}
	if l.PerCredentialBurst <= 0 {
		l.PerCredentialBurst = DefaultLimits.PerCredentialBurst
	}
	return l
}

// DefaultLimits are the limits used where Config leaves them zero.
var DefaultLimits = Limits{
	ClickPerIP: 1200, ClickPerCredential: 30, RedeemPerIP: 60, TokenAPIPerIP: 600, TokenAPIPerCred: 600,
	PortalLoginPerIP: 10, Burst: 20, PerCredentialBurst: 10, PanelSessionPerUser: 20,
}

// Config configures the service.
type Config struct {
	// PublicURL is this service's origin, e.g. https://billing.example.com.
	PublicURL string
	// TokenTTL is how long a token lives: at most (and by default) 60 s.
	TokenTTL time.Duration
	// PurgeAfter is how long an expired token is kept (so a late replay is
	// told "expired" or "already used" rather than "unknown") before the
	// purger deletes it; default 10 minutes.
	PurgeAfter time.Duration
	// RetryAfter is the N of {"retry": N} when the database is briefly
	// unavailable; default 2 s.
	RetryAfter int
	Limits     Limits
	Logger     *slog.Logger
	// RotationGrace is how long a link's previous secret stays accepted
	// after the panel confirmed a rotation: a click the panel sent with
	// the old secret just before it took the new one is still in flight
	// then. Zero refuses the old secret from the confirmation on.
	RotationGrace time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Signer signs the assertion of a link with a signed hand-off; nil
	// lands such links on their external target without one.
	Signer Signer
	// Panels open the one-time sessions of "Log in to cPanel", by their
	// Module(); a module without one answers that it is not available.
	Panels []links.Panel
}

// Signer signs a hand-off assertion into a compact JWT (api/handoff).
type Signer interface {
	Sign(ctx context.Context, a links.Assertion) (string, error)
}

// Service applies the single sign-on rules. It is safe for concurrent use.
type Service struct {
	targets  TargetStore
	tokens   TokenStore
	events   EventStore
	creds    CredentialStore
	accounts AccountStore
	cfg      Config
	panels   map[string]links.Panel // by module
	log      *slog.Logger
	now      func() time.Time
	dummy    string
}

// New returns the service.
func New(store Store, cfg Config) *Service {
	if cfg.TokenTTL <= 0 || cfg.TokenTTL > MaxTokenTTL {
		cfg.TokenTTL = MaxTokenTTL
	}
	if cfg.PurgeAfter <= 0 {
		cfg.PurgeAfter = 10 * time.Minute
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 2
	}
	cfg.Limits = cfg.Limits.withDefaults()
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	panels := map[string]links.Panel{}
	for _, p := range cfg.Panels {
		panels[p.Module()] = p
	}
	return &Service{targets: store, tokens: store, events: store, creds: store, accounts: store, cfg: cfg, panels: panels, log: cfg.Logger, now: func() time.Time { return now().UTC() }, dummy: secret.Hash("applinks-dummy")}
}

// Limits returns the abuse limits.
func (s *Service) Limits() Limits { return s.cfg.Limits }

// RetryAfter is the wait, in seconds, the click answers when the database is
// briefly unavailable.
func (s *Service) RetryAfter() int { return s.cfg.RetryAfter }

// Refusal is a refused single sign-on: a reason code from links.SSOReason*
// and the caller-safe error with its HTTP-mappable code.
type Refusal struct {
	Reason string
	Err    *links.Error
}

// Error implements error.
func (r *Refusal) Error() string { return r.Reason + ": " + r.Err.Error() }

// Unwrap exposes the links error, so the REST layer maps its code.
func (r *Refusal) Unwrap() error { return r.Err }

func refuse(reason, code, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Err: links.Errorf(code, format, args...)}
}

func refuseField(reason, field, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Err: &links.Error{Code: links.EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}}
}

// Reason returns the refusal reason of err: the Refusal's, "unavailable" for
// a briefly unavailable database, "invalid_request" for other invalid input,
// or "" for an unexpected error.
func Reason(err error) string {
	var r *Refusal
	switch {
	case err == nil:
		return ""
	case errors.As(err, &r):
		return r.Reason
	}
	switch links.ErrorCode(err) {
	case links.EUNAVAILABLE:
		return links.SSOReasonUnavailable
	case links.EINVALID:
		return links.SSOReasonBadRequest
	case links.ERATELIMITED:
		return links.SSOReasonRateLimited
	}
	return ""
}

// asRefusal turns an invalid-input error into a refusal with the reason.
func asRefusal(err error, reason string) error {
	var le *links.Error
	if errors.As(err, &le) {
		return &Refusal{Reason: reason, Err: le}
	}
	return err
}

// ruleCheck is the state the rules look at.
type ruleCheck struct {
	client     links.Client
	userID     int64
	membership *links.Membership // nil for the owner
	service    *links.Service    // checked only when set
	active     bool              // the service's server is active
	// page is the client-area path the sign-in lands on ("" for a panel
	// session): the user needs the permission ClientAreaRules give it.
	page string
}

// check applies the rules in a fixed order: the account is not Closed, its
// single sign-on is allowed, the user holds sso on it and the permission of
// the page it lands on, the service still qualifies for links.
//
// A sign-in to a page the user may not open is refused, not turned into a
// session on a "no permission" page: the customer followed a link to that
// page, and is better told at once, in words (the login page explains the
// reason), than signed in somewhere else. A trusted application learns it
// when it asks for the token (403 with the reason), so it can leave the link
// out. Owners hold every permission, so a cPanel click (always the owner's)
// never meets this rule.
func check(r ruleCheck) error {
	switch {
	case r.client.Status == links.ClientClosed:
		return refuse(links.SSOReasonClientClosed, links.EFORBIDDEN, "SSO authentication blocked for client %d: the account is closed.", r.client.ID)
	case !r.client.AllowSSO:
		return refuse(links.SSOReasonSSODisabled, links.EFORBIDDEN, "SSO authentication blocked for client %d.", r.client.ID)
	case r.userID != r.client.OwnerUserID && (r.membership == nil || !r.membership.Has(links.UserPermSSO)):
		return refuse(links.SSOReasonNoPermission, links.EFORBIDDEN, "User %d may not perform single sign-on on client %d.", r.userID, r.client.ID)
	case r.userID != r.client.OwnerUserID && !pageAllowed(r.membership, r.page):
		return refuse(links.SSOReasonNoPagePermission, links.EFORBIDDEN, "User %d lacks the %q permission on client %d that the page %s needs.", r.userID, links.PermissionForPath(r.page), r.client.ID, truncate(r.page, 64))
	case r.service != nil && !r.service.Qualifies(r.active):
		return refuse(links.SSOReasonServiceInactive, links.EFORBIDDEN, "Service %d is %s and no longer allows single sign-on.", r.service.ID, serviceState(*r.service, r.active))
	}
	return nil
}

// pageAllowed tells whether a user who is not the owner may open a
// client-area page.
func pageAllowed(m *links.Membership, page string) bool {
	perm := links.PermissionForPath(page)
	return perm == "" || (m != nil && m.Has(perm))
}

func serviceState(svc links.Service, serverActive bool) string {
	switch {
	case !links.StatusQualifies(svc.Status):
		return strings.ToLower(svc.Status)
	case svc.Username == "":
		return "without a username"
	case !serverActive:
		return "on an inactive server"
	}
	return "active"
}

// PanelSSOAllowed tells whether the user may "Log in to cPanel" on the
// service, and if not, the reason code and why in words.
func PanelSSOAllowed(client links.Client, m links.Membership, svc links.Service, serverActive bool) (bool, string, string) {
	err := check(ruleCheck{client: client, userID: m.UserID, membership: &m, service: &svc, active: serverActive, page: ServicesPath})
	if err == nil {
		return true, "", ""
	}
	var r *Refusal
	errors.As(err, &r)
	return false, r.Reason, r.Err.Message
}

// record appends an audit event without failing the caller: the audit must
// not turn a refusal into an error, and it outlives a cancelled request.
func (s *Service) record(ctx context.Context, e links.SSOEvent) {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.events.RecordSSOEvent(ctx, e); err != nil {
		s.log.Warn("sso: could not record the event", "err", err, "kind", e.Kind, "outcome", e.Outcome, "reason", e.Reason)
	}
}

func id(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

// outcome fills in the outcome and reason of an event from err.
func outcome(e links.SSOEvent, err error) links.SSOEvent {
	if err == nil {
		e.Outcome = links.SSOSuccess
		return e
	}
	e.Outcome = links.SSORefused
	e.Reason = Reason(err)
	if e.Reason == "" {
		e.Reason = "error"
	}
	return e
}

// newToken makes a random token and stores its hash together with the event
// of its issue (ev, recorded as a success) in one transaction.
func (s *Service) newToken(ctx context.Context, t links.SSOToken, ev *links.SSOEvent) (string, links.SSOToken, error) {
	raw, err := secret.Token(TokenBytes)
	if err != nil {
		return "", links.SSOToken{}, err
	}
	t.Hash = secret.Hash(raw)
	t.ExpiresAt = s.now().Add(s.cfg.TokenTTL)
	issued := outcome(*ev, nil)
	issued.Time = s.now()
	stored, err := s.tokens.CreateSSOToken(ctx, t, &issued)
	if err != nil {
		return "", links.SSOToken{}, err
	}
	return raw, stored, nil
}

func (s *Service) redeemURL(raw string) string {
	return s.cfg.PublicURL + "/sso/redeem?access_token=" + raw
}

// validSecretText accepts the URL-safe characters our secrets are made of,
// within a length range, so that garbage never reaches the database.
func validSecretText(v string, minLen, maxLen int) bool {
	if len(v) < minLen || len(v) > maxLen {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ClickRequest is cPanel's autologin call: the destination from the
// registered URL's query, the credentials from the form body.
type ClickRequest struct {
	Destination  string
	SubscriberID string
	Token        string
	IP           string
}

// Click verifies a cPanel click and issues a token for the account owner.
// When the service's server has SSO source addresses, req.IP (the client IP
// as the router sees it, which respects APPLINKS_TRUST_PROXY) must be on
// them.
// It answers the redeem URL, or a *Refusal, or an EUNAVAILABLE error when the
// database is briefly unavailable (the caller answers {"retry": N}).
func (s *Service) Click(ctx context.Context, req ClickRequest) (string, error) {
	ev := links.SSOEvent{Kind: links.SSOKindIssue, Source: links.SSOSourceCPanel, Destination: truncate(req.Destination, 60), IP: req.IP}
	raw, err := s.click(ctx, req, &ev)
	// A successful issue is recorded with its token, in one commit.
	if err != nil && links.ErrorCode(err) != links.EUNAVAILABLE {
		s.record(ctx, outcome(ev, err))
	}
	return raw, err
}

func (s *Service) click(ctx context.Context, req ClickRequest, ev *links.SSOEvent) (string, error) {
	// A custom key is accepted by its shape; where it leads is the
	// application's setting, read when the session lands (Landing).
	if _, ok := links.LinkDefByKey(req.Destination); !ok && !links.IsCustomKey(req.Destination) {
		return "", refuseField(links.SSOReasonInvalidDestination, "destination", "Invalid destination %q: the link's autologin URL must name a catalogue key or a custom link.", truncate(req.Destination, 64))
	}
	if !validSecretText(req.SubscriberID, 1, 128) || !validSecretText(req.Token, 16, 256) {
		return "", refuse(links.SSOReasonBadCredentials, links.EUNAUTHORIZED, "The link's subscriber_unique_id or token is missing or malformed.")
	}
	target, err := s.targets.SSOClickTarget(ctx, req.SubscriberID)
	if links.ErrorCode(err) == links.ENOTFOUND {
		secret.Equal(secret.Hash(req.Token), s.dummy) // same work as a known subscriber
		return "", refuse(links.SSOReasonBadCredentials, links.EUNAUTHORIZED, "The link's subscriber_unique_id or token is not valid.")
	} else if err != nil {
		return "", err
	}
	svc := target.Service
	ev.ClientID, ev.ServiceID, ev.ServerID, ev.UserID = id(target.Client.ID), id(svc.ID), id(svc.ServerID), id(target.Client.OwnerUserID)
	if !s.tokenMatches(req.Token, target) {
		return "", refuse(links.SSOReasonBadCredentials, links.EUNAUTHORIZED, "The link's subscriber_unique_id or token is not valid.")
	}
	// The source is checked once the credentials are known good, so a
	// caller without them learns nothing of the server's list.
	if !links.SSOSourceAllowed(target.SSOSources, req.IP) {
		return "", refuse(links.SSOReasonForbiddenSource, links.EFORBIDDEN,
			"SSO clicks for server %d are not accepted from %s: staff can allow the address in the server's SSO source addresses.", svc.ServerID, truncate(req.IP, 64))
	}
	if err := check(ruleCheck{client: target.Client, userID: target.Client.OwnerUserID, service: &svc, active: target.ServerActive,
		page: Route(req.Destination, "", svc.ID)}); err != nil {
		return "", err
	}
	raw, _, err := s.newToken(ctx, links.SSOToken{
		UserID: target.Client.OwnerUserID, ClientID: target.Client.ID, ServiceID: svc.ID,
		Destination: req.Destination, Issuer: "cpanel:server:" + strconv.FormatInt(svc.ServerID, 10),
	}, ev)
	if err != nil {
		return "", err
	}
	return s.redeemURL(raw), nil
}

// Purge deletes the tokens that expired more than PurgeAfter ago.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	return s.tokens.PurgeSSOTokens(ctx, s.now().Add(-s.cfg.PurgeAfter))
}

// RunPurger purges expired tokens on a ticker until ctx is done.
func (s *Service) RunPurger(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Purge(ctx); err != nil {
				s.log.Warn("sso: purge of expired tokens failed", "err", err)
			} else if n > 0 {
				s.log.Debug("sso: purged expired tokens", "count", n)
			}
		}
	}
}

// Events lists SSO events.
func (s *Service) Events(ctx context.Context, f links.SSOEventFilter) ([]links.SSOEvent, int64, error) {
	return s.events.ListSSOEvents(ctx, f)
}

// tokenMatches checks a click's token against the credential's hash, or
// the previous ones (the one the panel was last confirmed with, and those
// replaced before a confirmation) while a rotation waits for the panel's
// confirmation and for the rotation grace after it. All are compared, so
// the time taken does not tell which matched.
func (s *Service) tokenMatches(token string, target links.SSOClickTarget) bool {
	h := secret.Hash(token)
	cur := target.TokenHash != "" && secret.Equal(h, target.TokenHash)
	prev := target.PrevTokenHash != "" && secret.Equal(h, target.PrevTokenHash)
	for _, old := range target.UnconfirmedHashes {
		prev = secret.Equal(h, old) || prev
	}
	if prev && target.PrevConfirmedAt != nil {
		prev = s.now().Before(target.PrevConfirmedAt.Add(s.cfg.RotationGrace))
	}
	return cur || prev
}
