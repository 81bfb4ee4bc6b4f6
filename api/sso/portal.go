package sso

import (
	"context"
	"strings"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// Account is a signed-in client-area user: every account the user belongs
// to, and the current one with the user's membership on it.
type Account struct {
	User        links.User
	Clients     []links.Client
	Memberships []links.Membership
	Current     links.Client
	Membership  links.Membership
}

// ErrNoSession is the one answer to a client-area session that is no longer
// valid (the user or the membership is gone).
var ErrNoSession = links.Errorf(links.EUNAUTHORIZED, "Your session is no longer valid; sign in again.")

// ErrClientClosed refuses the client area of a Closed account, as single
// sign-on does: by password, by a session started before it closed, or by a
// switch to it.
var ErrClientClosed = links.Errorf(links.EFORBIDDEN, "This client account is closed, so signing in to it is no longer possible. Contact us if you think this is a mistake.")

// Login checks a client-area user's e-mail and password. Every failure is
// the same generic EUNAUTHORIZED (no account enumeration), and an unknown
// e-mail costs one bcrypt comparison like a known one.
func (s *Service) Login(ctx context.Context, email, password string) (links.User, error) {
	fail := links.Errorf(links.EUNAUTHORIZED, "The e-mail address or password is incorrect.")
	email = strings.TrimSpace(email)
	if email == "" || password == "" || len(email) > 254 || len(password) > 72 {
		secret.CheckPassword("", password)
		return links.User{}, fail
	}
	u, hash, err := s.accounts.UserCredentials(ctx, email)
	if err != nil && links.ErrorCode(err) != links.ENOTFOUND {
		return links.User{}, err
	}
	if !secret.CheckPassword(hash, password) {
		return links.User{}, fail
	}
	return u, nil
}

// Account loads a user's accounts that are not Closed and makes clientID
// the current one (0: the first). A user on no account, or no longer on
// clientID, has no session; a user whose accounts (or clientID) are Closed
// gets ErrClientClosed.
func (s *Service) Account(ctx context.Context, userID, clientID int64) (Account, error) {
	clients, ms, err := s.accounts.UserClients(ctx, userID)
	if links.ErrorCode(err) == links.ENOTFOUND {
		return Account{}, ErrNoSession
	} else if err != nil {
		return Account{}, err
	}
	if len(clients) == 0 {
		return Account{}, links.Errorf(links.EFORBIDDEN, "Your login is not on any client account.")
	}
	var a Account
	closed := false
	for i, c := range clients {
		if c.Status == links.ClientClosed {
			closed = closed || clientID == 0 || c.ID == clientID
			continue
		}
		a.Clients, a.Memberships = append(a.Clients, c), append(a.Memberships, ms[i])
		if a.Current.ID == 0 && (clientID == 0 || c.ID == clientID) {
			a.Current, a.Membership, a.User = c, ms[i], ms[i].User
		}
	}
	switch {
	case a.Current.ID != 0:
		return a, nil
	case closed:
		return Account{}, ErrClientClosed
	}
	return Account{}, ErrNoSession
}

// EndSessions ends every client-area session of the user (sign-out).
func (s *Service) EndSessions(ctx context.Context, userID int64) error {
	return s.accounts.EndUserSessions(ctx, userID)
}

// AuthorizePanelSession decides whether the signed-in user may "Log in to
// cPanel" on a service of the current account: the service is the
// account's, the account is not Closed, allows single sign-on, the user
// holds sso and services on it and the service still qualifies. Refusals are audited;
// PanelSession audits the panel's own outcome.
func (s *Service) AuthorizePanelSession(ctx context.Context, a Account, serviceID int64, ip string) (links.Service, error) {
	ev := links.SSOEvent{Kind: links.SSOKindSession, Source: links.SSOSourcePortal, UserID: id(a.User.ID),
		ClientID: id(a.Current.ID), ServiceID: id(serviceID), Destination: "cpanel", IP: ip}
	target, err := s.targets.SSOServiceTarget(ctx, serviceID)
	if links.ErrorCode(err) == links.ENOTFOUND || (err == nil && target.Service.ClientID != a.Current.ID) {
		err = &Refusal{Reason: links.SSOReasonInvalidService, Err: links.Errorf(links.ENOTFOUND, "Service %d is not on your account.", serviceID)}
	} else if err == nil {
		ev.ServerID = id(target.Service.ServerID)
		m := a.Membership
		// "Log in to cPanel" is part of the service's page: it needs
		// services as well as sso.
		err = check(ruleCheck{client: target.Client, userID: a.User.ID, membership: &m, service: &target.Service, active: target.ServerActive,
			page: Route(links.DestinationServices, "", 0)})
	}
	if err != nil {
		if links.ErrorCode(err) != links.EUNAVAILABLE {
			s.record(ctx, outcome(ev, err))
		}
		return links.Service{}, err
	}
	return target.Service, nil
}
