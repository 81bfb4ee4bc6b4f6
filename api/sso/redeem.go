package sso

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// Session is a redeemed token: who is signed in, on which account, and the
// client-area path to land on.
type Session struct {
	UserID   int64
	ClientID int64
	Location string
	// ServiceID and Destination are the token's; Panel tells that a cPanel
	// click issued it: a catalogue link's external target applies only to
	// those, a custom link's to every token to it (see Landing).
	ServiceID   int64
	Destination string
	Panel       bool
	// target is what the redemption's rules read of the service and its
	// account (a cPanel token's, or a custom link's), for Landing.
	target *links.SSOClickTarget
	// link is the custom link a token to custom_<slug> leads to, resolved
	// by the redemption (nil for a catalogue destination, or a custom link
	// removed since).
	link *links.LinkSetting
}

// ErrHeld is the answer of RedeemOrHold when the caller's hold kept the
// redemption back. The token is then known good (it exists, is unused and
// unexpired, and passes the rules) and was left untouched: not consumed and
// no event recorded, so the user can still confirm (a later Redeem, which
// re-checks everything) or decline (Decline) within the token's life.
var ErrHeld = errors.New("sso: redemption held for the user's confirmation")

// Hold decides, for a token that would start a session, whether the
// redemption waits for the user's confirmation (true: RedeemOrHold answers
// ErrHeld). An error leaves the token usable and is the redemption's error.
type Hold func(Session) (bool, error)

// Redeem consumes a token (exactly once, atomically), re-checks the rules
// and returns the session to start. On failure it still returns the
// destination path it knows (Location), for the login page's next.
func (s *Service) Redeem(ctx context.Context, accessToken, ip string) (Session, error) {
	return s.RedeemOrHold(ctx, accessToken, ip, nil)
}

// RedeemOrHold is Redeem, except that a token that would start a session is
// first shown to hold (when not nil), which may keep it back: the answer is
// then the Session with ErrHeld. Only a good token is ever held; a refused
// one is consumed and audited exactly as by Redeem, since a refusal starts
// no session and so replaces none.
func (s *Service) RedeemOrHold(ctx context.Context, accessToken, ip string, hold Hold) (Session, error) {
	// The source is known once the token is found (who issued it).
	ev := links.SSOEvent{Kind: links.SSOKindRedeem, Source: links.SSOSourceUnknown, IP: ip}
	sess, recorded, err := s.redeem(ctx, accessToken, &ev, hold)
	if !recorded && !errors.Is(err, ErrHeld) {
		s.record(ctx, outcome(ev, err))
	}
	return sess, err
}

// Decline discards a token whose user chose not to switch to it: it is
// consumed together with a refused redemption event (switch_declined), so
// it can no longer start a session (not from the browser's history either)
// and the audit shows how its issue ended. A token that is unknown, used or
// expired has nothing left to discard: Decline then records nothing and
// answers the refusal that says why.
func (s *Service) Decline(ctx context.Context, accessToken, ip string) error {
	ev := links.SSOEvent{Kind: links.SSOKindRedeem, Source: links.SSOSourceUnknown, IP: ip}
	tok, sess, err := s.lookup(ctx, accessToken, &ev)
	if err == nil {
		err = unusable(tok, s.now())
	}
	if err != nil {
		return err
	}
	declined := refuse(links.SSOReasonSwitchDeclined, links.EFORBIDDEN, "You stayed signed in as yourself; the sign-in link was discarded.")
	if _, consumed, err := s.consume(ctx, tok.Hash, sess, ev, declined); !consumed {
		return err
	}
	return nil
}

// lookup finds a token by its text and fills the event with what the token
// tells: whom and where it is for, and who issued it.
func (s *Service) lookup(ctx context.Context, accessToken string, ev *links.SSOEvent) (links.SSOToken, Session, error) {
	if !validSecretText(accessToken, 40, 128) {
		return links.SSOToken{}, Session{}, refuse(links.SSOReasonInvalidToken, links.EUNAUTHORIZED, "The sign-in link is not valid.")
	}
	tok, err := s.tokens.SSOToken(ctx, secret.Hash(accessToken))
	if links.ErrorCode(err) == links.ENOTFOUND {
		return links.SSOToken{}, Session{}, refuse(links.SSOReasonInvalidToken, links.EUNAUTHORIZED, "The sign-in link is not valid.")
	} else if err != nil {
		return links.SSOToken{}, Session{}, err
	}
	tok.Hash = secret.Hash(accessToken)
	sess := Session{UserID: tok.UserID, ClientID: tok.ClientID, Location: Route(tok.Destination, tok.RedirectPath, tok.ServiceID),
		ServiceID: tok.ServiceID, Destination: tok.Destination}
	ev.UserID, ev.ClientID, ev.ServiceID, ev.Destination = id(tok.UserID), id(tok.ClientID), id(tok.ServiceID), tok.Destination
	ev.Source = links.SSOSourceAPI
	if rest, ok := strings.CutPrefix(tok.Issuer, "cpanel:server:"); ok {
		ev.Source = links.SSOSourceCPanel
		sess.Panel = true
		if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
			ev.ServerID = id(n)
		}
	} else if strings.HasPrefix(tok.Issuer, portalIssuer) {
		ev.Source = links.SSOSourcePortal
	} else if rest, ok := strings.CutPrefix(tok.Issuer, "api:"); ok {
		if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
			ev.CredentialID = id(n)
		}
	}
	return tok, sess, nil
}

// redeem reads the token, checks the rules, asks hold (for a token that
// passes them) and then consumes the token with its audit event in one
// transaction, whatever the rules said: a refused token is burnt too.
// recorded tells whether the event was written.
func (s *Service) redeem(ctx context.Context, accessToken string, ev *links.SSOEvent, hold Hold) (sess Session, recorded bool, err error) {
	tok, sess, err := s.lookup(ctx, accessToken, ev)
	if err != nil {
		return sess, false, err
	}
	if err := unusable(tok, s.now()); err != nil {
		return sess, false, err
	}
	ruleErr := s.checkRedemption(ctx, tok, ev, &sess)
	var refusal *Refusal
	if ruleErr != nil && !errors.As(ruleErr, &refusal) {
		return sess, false, ruleErr // the database failed: the token stays usable
	}
	if ruleErr == nil && hold != nil {
		// Held before anything is written: the token stays usable.
		if held, err := hold(sess); err != nil {
			return sess, false, err
		} else if held {
			return sess, false, ErrHeld
		}
	}
	return s.consume(ctx, tok.Hash, sess, *ev, ruleErr)
}

// consume marks the token used together with its event, whose outcome is
// ruleErr's, in one transaction, and answers ruleErr. When another
// redemption won the race, or the token expired meanwhile, nothing is
// written and the answer says which.
func (s *Service) consume(ctx context.Context, hash string, sess Session, ev links.SSOEvent, ruleErr error) (Session, bool, error) {
	final := outcome(ev, ruleErr)
	final.Time = s.now()
	again, consumed, err := s.tokens.ConsumeSSOToken(ctx, hash, final.Time, &final)
	if err != nil {
		return sess, false, err
	}
	if !consumed {
		if err := unusable(again, final.Time); err != nil {
			return sess, false, err
		}
		return sess, false, refuse(links.SSOReasonUsedToken, links.EUNAUTHORIZED, "This sign-in link was already used.")
	}
	return sess, true, ruleErr
}

// unusable says why a stored token can no longer be redeemed, if it cannot.
func unusable(tok links.SSOToken, now time.Time) error {
	switch {
	case tok.UsedAt != nil:
		return refuse(links.SSOReasonUsedToken, links.EUNAUTHORIZED, "This sign-in link was already used.")
	case !tok.ExpiresAt.After(now):
		return refuse(links.SSOReasonExpiredToken, links.EUNAUTHORIZED, "This sign-in link has expired.")
	}
	return nil
}

// checkRedemption re-checks, at redemption, the rules the token was issued
// under: for a trusted application's token its credential, then the
// account, its single sign-on switch, the user's place on it and, for a
// cPanel click, the service.
//
// It keeps what it read of a cPanel token's service in sess, for Landing.
func (s *Service) checkRedemption(ctx context.Context, tok links.SSOToken, ev *links.SSOEvent, sess *Session) error {
	// A token a trusted application asked for dies with its credential:
	// revoking a credential stops the tokens it issued too.
	if ev.CredentialID != nil {
		cred, err := s.creds.APICredential(ctx, *ev.CredentialID)
		if links.ErrorCode(err) == links.ENOTFOUND || (err == nil && cred.RevokedAt != nil) {
			return refuse(links.SSOReasonCredentialRevoked, links.EFORBIDDEN, "The API credential that created this sign-in link was revoked.")
		} else if err != nil {
			return err
		}
	}
	rc := ruleCheck{userID: tok.UserID, page: Route(tok.Destination, tok.RedirectPath, tok.ServiceID)}
	custom := links.IsCustomKey(tok.Destination)
	if tok.ServiceID != 0 && (ev.Source == links.SSOSourceCPanel || custom) {
		target, err := s.targets.SSOServiceTarget(ctx, tok.ServiceID)
		if links.ErrorCode(err) == links.ENOTFOUND {
			return refuse(links.SSOReasonServiceInactive, links.EFORBIDDEN, "Service %d no longer exists.", tok.ServiceID)
		} else if err != nil {
			return err
		}
		rc.client = target.Client
		// A trusted application's token is not about the service's
		// state (its issue did not check it either): a click's and a
		// continuation's are.
		if ev.Source == links.SSOSourceCPanel || ev.Source == links.SSOSourcePortal {
			rc.service, rc.active = &target.Service, target.ServerActive
		}
		sess.target = &target
	} else {
		client, err := s.accounts.Client(ctx, tok.ClientID)
		if links.ErrorCode(err) == links.ENOTFOUND {
			return refuse(links.SSOReasonInvalidClient, links.EFORBIDDEN, "Client %d no longer exists.", tok.ClientID)
		} else if err != nil {
			return err
		}
		rc.client = client
	}
	if rc.client.ID != tok.ClientID {
		return refuse(links.SSOReasonInvalidService, links.EFORBIDDEN, "Service %d moved to another account.", tok.ServiceID)
	}
	if tok.UserID != rc.client.OwnerUserID {
		m, err := s.accounts.Membership(ctx, tok.ClientID, tok.UserID)
		if links.ErrorCode(err) == links.ENOTFOUND {
			return refuse(links.SSOReasonUserNotOnClient, links.EFORBIDDEN, "User %d is no longer on client %d.", tok.UserID, tok.ClientID)
		} else if err != nil {
			return err
		}
		rc.membership = &m
	}
	if custom {
		if err := s.resolveCustom(ctx, sess, &rc); err != nil {
			return err
		}
	}
	return check(rc)
}

// resolveCustom reads, for a token to a custom link, where the link leads
// now: its client-area path becomes the session's Location and the page
// whose permission the user needs. A link removed since the token's issue
// (or one that became ambiguous) lands on the home page.
func (s *Service) resolveCustom(ctx context.Context, sess *Session, rc *ruleCheck) error {
	module := ""
	if sess.target != nil {
		module = sess.target.Service.Module
	}
	st, found, err := s.customLink(ctx, module, sess.Destination)
	if err != nil && !errors.Is(err, errAmbiguousLink) {
		return err
	}
	if !found {
		return nil
	}
	sess.link = &st
	rc.page = customPage(st)
	if st.Target == links.TargetClientArea {
		sess.Location = rc.page
	}
	return nil
}
