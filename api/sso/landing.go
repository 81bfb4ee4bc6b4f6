package sso

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/applinks/applinks/api/links"
)

// Landing returns where the browser of a redeemed session goes: its
// client-area Location (a custom link's own client-area path), or, for a
// cPanel click on a link whose target is an external URL, or any token to a
// custom link whose target is, that URL rendered for the token's account and
// service, with the signed assertion (links.HandoffParam) when the link
// hands off.
//
// It decides nothing about access: the redemption applied the rules
// already, exactly as for a client-area target, and the client-area session
// is started whatever the target. A stored template that no longer passes
// the scheme policy (the public URL became https) is refused here too, and
// so is an external custom link without a service to render it for.
func (s *Service) Landing(ctx context.Context, sess Session) (string, error) {
	var st links.LinkSetting
	switch {
	case sess.link != nil: // a custom link, as the redemption read it
		st = *sess.link
	case sess.Panel && sess.target != nil && !links.IsCustomKey(sess.Destination):
		var found bool
		var err error
		st, found, err = s.targets.LinkSetting(ctx, sess.target.Service.Module, sess.Destination)
		if err != nil {
			return "", err
		}
		if !found || st.Removed {
			return sess.Location, nil
		}
	default:
		return sess.Location, nil
	}
	if st.Target != links.TargetExternal {
		return sess.Location, nil
	}
	t := sess.target
	if t == nil {
		return "", errors.New("sso: the custom link's external target needs a service, and the token has none")
	}
	if err := links.ValidateURLTemplate("url_template", st.URLTemplate, s.httpPublicURL()); err != nil {
		return "", err
	}
	dest, err := links.RenderURLTemplate(st.URLTemplate, targetValues(t, sess.Destination))
	if err != nil || !st.Handoff {
		return dest, err
	}
	if s.cfg.Signer == nil {
		return "", errors.New("sso: the link hands off, but no signer is configured")
	}
	user, err := s.accounts.User(ctx, sess.UserID)
	if err != nil {
		return "", err
	}
	jwt, err := s.cfg.Signer.Sign(ctx, links.Assertion{Audience: links.Origin(dest), UserID: user.ID, Email: user.Email,
		ClientID: t.Client.ID, ClientExternalID: deref(t.Client.ExternalID), ServiceID: t.Service.ID,
		ServiceExternalID: deref(t.Service.ExternalID), Destination: sess.Destination})
	if err != nil {
		return "", err
	}
	return withQueryParam(dest, links.HandoffParam, jwt), nil
}

// targetValues are a template's values for a service. A client or service
// without an external id renders that placeholder empty.
func targetValues(t *links.SSOClickTarget, dest string) links.TargetValues {
	return links.TargetValues{ClientID: strconv.FormatInt(t.Client.ID, 10), ClientExternalID: deref(t.Client.ExternalID),
		ServiceID: strconv.FormatInt(t.Service.ID, 10), ServiceExternalID: deref(t.Service.ExternalID),
		Username: t.Service.Username, Domain: t.Service.Domain, Destination: dest}
}

// deref is *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// withQueryParam appends name=value (value URL-safe already) to the query
// of rawURL, before any fragment.
func withQueryParam(rawURL, name, value string) string {
	base, frag, hasFrag := strings.Cut(rawURL, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	out := base + sep + name + "=" + value
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// httpPublicURL tells whether the service's public URL is http (the demo).
func (s *Service) httpPublicURL() bool {
	return strings.HasPrefix(strings.ToLower(s.cfg.PublicURL), "http://")
}
