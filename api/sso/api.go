package sso

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// Authenticate checks an API credential's identifier and secret in constant
// time (an unknown identifier costs the same as a wrong secret) and refuses
// revoked credentials. All failures are one generic EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, identifier, secretText string) (links.APICredential, error) {
	fail := links.Errorf(links.EUNAUTHORIZED, "The API credential is not valid.")
	if !validSecretText(identifier, 1, 64) || !validSecretText(secretText, 1, 256) {
		return links.APICredential{}, fail
	}
	cred, hash, err := s.creds.APICredentialByIdentifier(ctx, identifier)
	if links.ErrorCode(err) == links.ENOTFOUND {
		secret.Equal(secret.Hash(secretText), s.dummy)
		return links.APICredential{}, fail
	} else if err != nil {
		return links.APICredential{}, err
	}
	if !secret.Equal(secret.Hash(secretText), hash) || cred.RevokedAt != nil {
		return links.APICredential{}, fail
	}
	return cred, nil
}

// AuthenticateApplication authenticates the trusted application of a token
// request (Authenticate) from ip. A failure is audited as a refused issue
// and answered as a *Refusal with the reason invalid_credentials.
func (s *Service) AuthenticateApplication(ctx context.Context, identifier, secretText, ip string) (links.APICredential, error) {
	cred, err := s.Authenticate(ctx, identifier, secretText)
	if links.ErrorCode(err) == links.EUNAUTHORIZED {
		s.record(ctx, links.SSOEvent{Kind: links.SSOKindIssue, Source: links.SSOSourceAPI,
			Outcome: links.SSORefused, Reason: links.SSOReasonBadCredentials, IP: ip})
		return links.APICredential{}, refuse(links.SSOReasonBadCredentials, links.EUNAUTHORIZED, "The API credential is not valid.")
	}
	return cred, err
}

// IssueForApplication is CreateSsoToken: a token for a user of an account
// (the owner by default) to a destination, on behalf of a trusted
// application. Every refusal names its cause and is audited.
func (s *Service) IssueForApplication(ctx context.Context, cred links.APICredential, req links.SSOTokenRequest, ip string) (links.SSOTokenAnswer, error) {
	ev := links.SSOEvent{Kind: links.SSOKindIssue, Source: links.SSOSourceAPI, CredentialID: id(cred.ID),
		Destination: truncate(req.Destination, 60), IP: ip, ClientID: id(req.ClientID), UserID: id(req.UserID), ServiceID: id(req.ServiceID)}
	out, err := s.issueForApplication(ctx, cred, req, &ev)
	// A successful issue is recorded with its token, in one commit.
	if err != nil && links.ErrorCode(err) != links.EUNAVAILABLE {
		s.record(ctx, outcome(ev, err))
	}
	if err == nil {
		if err := s.creds.TouchAPICredential(context.WithoutCancel(ctx), cred.ID, s.now()); err != nil {
			s.log.Warn("sso: could not record the credential's last use", "err", err)
		}
	}
	return out, err
}

func (s *Service) issueForApplication(ctx context.Context, cred links.APICredential, req links.SSOTokenRequest, ev *links.SSOEvent) (links.SSOTokenAnswer, error) {
	if !cred.Has(links.CredPermCreateSSOToken) {
		return links.SSOTokenAnswer{}, refuse(links.SSOReasonCredentialRevoked, links.EFORBIDDEN, "This API credential may not create SSO tokens.")
	}
	if req.ClientID < 0 || req.UserID < 0 || req.ServiceID < 0 {
		return links.SSOTokenAnswer{}, refuseField(links.SSOReasonBadRequest, "client_id", "Ids must be positive.")
	}
	if req.ClientID == 0 && req.UserID == 0 {
		return links.SSOTokenAnswer{}, refuseField(links.SSOReasonInvalidClient, "client_id", "Invalid client: give client_id and/or user_id.")
	}
	var client links.Client
	if req.ClientID != 0 {
		c, err := s.accounts.Client(ctx, req.ClientID)
		if links.ErrorCode(err) == links.ENOTFOUND {
			return links.SSOTokenAnswer{}, &Refusal{Reason: links.SSOReasonInvalidClient, Err: &links.Error{Code: links.ENOTFOUND, Field: "client_id", Message: "Invalid client: client " + strconv.FormatInt(req.ClientID, 10) + " does not exist."}}
		} else if err != nil {
			return links.SSOTokenAnswer{}, err
		}
		client = c
	}
	userID := req.UserID
	if userID != 0 {
		if _, err := s.accounts.User(ctx, userID); links.ErrorCode(err) == links.ENOTFOUND {
			return links.SSOTokenAnswer{}, &Refusal{Reason: links.SSOReasonInvalidUser, Err: &links.Error{Code: links.ENOTFOUND, Field: "user_id", Message: "Invalid user: user " + strconv.FormatInt(userID, 10) + " does not exist."}}
		} else if err != nil {
			return links.SSOTokenAnswer{}, err
		}
	}
	if req.ClientID == 0 {
		clients, _, err := s.accounts.UserClients(ctx, userID)
		if err != nil {
			return links.SSOTokenAnswer{}, err
		}
		switch len(clients) {
		case 0:
			return links.SSOTokenAnswer{}, refuseField(links.SSOReasonUserNotOnClient, "user_id", "User %d is not on any client account.", userID)
		case 1:
			client = clients[0]
		default:
			return links.SSOTokenAnswer{}, refuseField(links.SSOReasonInvalidClient, "client_id", "User %d is on %d client accounts: give client_id.", userID, len(clients))
		}
	}
	if userID == 0 {
		userID = client.OwnerUserID
	}
	ev.ClientID, ev.UserID = id(client.ID), id(userID)
	rc := ruleCheck{client: client, userID: userID, page: Route(req.Destination, req.RedirectPath, req.ServiceID)}
	if userID != client.OwnerUserID {
		m, err := s.accounts.Membership(ctx, client.ID, userID)
		if links.ErrorCode(err) == links.ENOTFOUND {
			return links.SSOTokenAnswer{}, refuseField(links.SSOReasonUserNotOnClient, "user_id", "User %d is not on client %d.", userID, client.ID)
		} else if err != nil {
			return links.SSOTokenAnswer{}, err
		}
		rc.membership = &m
	}
	if err := ValidateDestination(req.Destination, req.RedirectPath, req.ServiceID); err != nil {
		return links.SSOTokenAnswer{}, asRefusal(err, links.SSOReasonInvalidDestination)
	}
	module := ""
	if req.ServiceID != 0 {
		target, err := s.targets.SSOServiceTarget(ctx, req.ServiceID)
		if links.ErrorCode(err) == links.ENOTFOUND || (err == nil && target.Service.ClientID != client.ID) {
			return links.SSOTokenAnswer{}, &Refusal{Reason: links.SSOReasonInvalidService, Err: &links.Error{Code: links.ENOTFOUND, Field: "service_id", Message: "Invalid service: client " + strconv.FormatInt(client.ID, 10) + " has no service " + strconv.FormatInt(req.ServiceID, 10) + "."}}
		} else if err != nil {
			return links.SSOTokenAnswer{}, err
		}
		module = target.Service.Module
	}
	if links.IsCustomKey(req.Destination) {
		st, err := s.customDestination(ctx, module, req.Destination, req.ServiceID)
		if err != nil {
			return links.SSOTokenAnswer{}, err
		}
		rc.page = customPage(st)
	}
	if err := check(rc); err != nil {
		return links.SSOTokenAnswer{}, err
	}
	raw, tok, err := s.newToken(ctx, links.SSOToken{
		UserID: userID, ClientID: client.ID, ServiceID: req.ServiceID, Destination: req.Destination,
		RedirectPath: req.RedirectPath, Issuer: "api:" + strconv.FormatInt(cred.ID, 10),
	}, ev)
	if err != nil {
		return links.SSOTokenAnswer{}, err
	}
	return links.SSOTokenAnswer{AccessToken: raw, RedirectURL: s.redeemURL(raw), ExpiresAt: tok.ExpiresAt.UTC()}, nil
}

// CreateCredential creates a trusted application: a public identifier and a
// random secret, stored as a hash. Permissions default to creating SSO
// tokens.
func (s *Service) CreateCredential(ctx context.Context, name string, perms []string, createdBy int64) (links.NewAPICredential, error) {
	name = strings.TrimSpace(name)
	if err := links.ValidateName("name", name); err != nil {
		return links.NewAPICredential{}, err
	}
	if perms == nil {
		perms = slices.Clone(links.AllCredentialPermissions)
	}
	for _, p := range perms {
		if !slices.Contains(links.AllCredentialPermissions, p) {
			return links.NewAPICredential{}, links.FieldError("permissions", "Unknown permission %q: use %s.", truncate(p, 64), strings.Join(links.AllCredentialPermissions, ", "))
		}
	}
	ident, err := secret.Token(12)
	if err != nil {
		return links.NewAPICredential{}, err
	}
	sec, err := secret.Token(32)
	if err != nil {
		return links.NewAPICredential{}, err
	}
	c, err := s.creds.CreateAPICredential(ctx, links.APICredential{Name: name, Identifier: "ak_" + ident, Permissions: perms, CreatedBy: createdBy}, secret.Hash(sec))
	if err != nil {
		return links.NewAPICredential{}, err
	}
	return links.NewAPICredential{APICredential: c, Secret: sec}, nil
}

// Credentials lists the API credentials.
func (s *Service) Credentials(ctx context.Context) ([]links.APICredential, error) {
	return s.creds.ListAPICredentials(ctx)
}

// RevokeCredential revokes an API credential at once: its next call fails.
func (s *Service) RevokeCredential(ctx context.Context, credID int64) error {
	return s.creds.RevokeAPICredential(ctx, credID, s.now())
}
