package sso

import (
	"context"
	"strings"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// ProfileChange is a client-area user's change of their own profile. Only
// the fields set change; a new Email needs CurrentPassword.
type ProfileChange struct {
	Name            *string
	Email           *string
	CurrentPassword *string
	IP              string // the caller's address, for the audit
}

// ErrWrongPassword refuses an e-mail change whose current password is not
// the user's. The caller counts it like a failed sign-in.
var ErrWrongPassword = &links.Error{Code: links.EINVALID, Field: "current_password",
	Message: "The current password is incorrect: give the password you sign in with to change your sign-in e-mail."}

// MessageProfileSaved and MessageEmailChange are the answers of a profile
// change. An e-mail change answers MessageEmailChange whether the address
// was free (and is now the user's) or in use by another user (and nothing
// changed): the caller cannot tell the two apart, so the change enumerates
// no accounts.
const (
	MessageProfileSaved = "Your profile has been saved."
	MessageEmailChange  = "If this address is not in use by another login, it is now your sign-in e-mail. Your other changes are saved."
)

// UpdateProfile changes a user's own name and sign-in e-mail and answers
// what to tell the user. An e-mail change needs the user's current
// password (ErrWrongPassword otherwise). An address another user signs in
// with is not taken, the rest of the change is, the answer is the same as
// for a free address, and every account of the address's holder gets an
// email_change event (refused, email_in_use), so that its owner sees that
// someone tried.
func (s *Service) UpdateProfile(ctx context.Context, userID int64, ch ProfileChange) (string, error) {
	if ch.Name != nil {
		n := strings.TrimSpace(*ch.Name)
		if err := links.ValidateName("name", n); err != nil {
			return "", err
		}
		ch.Name = &n
	}
	if ch.Email == nil {
		if _, err := s.accounts.UpdateUser(ctx, userID, ch.Name, nil); err != nil {
			return "", err
		}
		return MessageProfileSaved, nil
	}
	e := strings.TrimSpace(*ch.Email)
	if err := links.ValidateEmail("email", e); err != nil {
		return "", err
	}
	if ch.CurrentPassword == nil || *ch.CurrentPassword == "" {
		return "", links.FieldError("current_password", "Give your current password (current_password) to change your sign-in e-mail.")
	}
	if err := s.checkPassword(ctx, userID, *ch.CurrentPassword); err != nil {
		return "", err
	}
	_, err := s.accounts.UpdateUser(ctx, userID, ch.Name, &e)
	if links.ErrorCode(err) == links.ECONFLICT {
		if _, err := s.accounts.UpdateUser(ctx, userID, ch.Name, nil); err != nil {
			return "", err
		}
		s.noteEmailInUse(ctx, e, ch.IP)
	} else if err != nil {
		return "", err
	}
	return MessageEmailChange, nil
}

// checkPassword checks the user's current password.
func (s *Service) checkPassword(ctx context.Context, userID int64, password string) error {
	u, err := s.accounts.User(ctx, userID)
	if err != nil {
		return err
	}
	got, hash, err := s.accounts.UserCredentials(ctx, u.Email)
	if err != nil && links.ErrorCode(err) != links.ENOTFOUND {
		return err
	}
	if len(password) > 72 || got.ID != userID || !secret.CheckPassword(hash, password) {
		return ErrWrongPassword
	}
	return nil
}

// noteEmailInUse records, on every account of the user who signs in with
// email, that someone tried to take the address. The event names that user
// (so the user and the account's owner see it), not the one who tried.
func (s *Service) noteEmailInUse(ctx context.Context, email, ip string) {
	holder, _, err := s.accounts.UserCredentials(ctx, email)
	if err != nil {
		s.log.Warn("sso: an e-mail change met an address in use, whose holder could not be read", "err", err)
		return
	}
	clients, _, err := s.accounts.UserClients(ctx, holder.ID)
	if err != nil {
		s.log.Warn("sso: could not read the accounts of an address's holder", "err", err)
		return
	}
	for _, c := range clients {
		s.record(ctx, links.SSOEvent{Kind: links.SSOKindEmailChange, Source: links.SSOSourcePortal, UserID: id(holder.ID),
			ClientID: id(c.ID), Destination: "profile", Outcome: links.SSORefused, Reason: links.SSOReasonEmailInUse, IP: ip})
	}
}
