package whm

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/applinks/applinks/api/links"
)

// ReadLinks reads what each account carries in one WHM batch, that is one
// round trip for the whole set of accounts: per account list_integration_links,
// list_integration_groups, then get_integration_link_user_config of each app
// in req.Apps.
//
// One round is enough because the links whose fields matter are known before
// listing: those the account should carry (req.Apps). A link of ours that it
// should not carry is extra whatever it holds, so its name, which the list
// gives, is all verify needs; reading the fields of every listed link would
// take a second round trip for nothing. The config of an absent app is
// refused ("no integration link named ..."); the list, run just before it in
// the same batch, tells that refusal (the link is absent) from any other (the
// account could not be read), without depending on the panel's wording.
func (p *panel) ReadLinks(ctx context.Context, s links.ServerConn, req links.ReadRequest) ([]links.AccountLinks, error) {
	out := make([]links.AccountLinks, len(req.Usernames))
	for i, u := range req.Usernames {
		out[i].Username = u
	}
	if len(req.Usernames) == 0 {
		return out, nil
	}
	per := 2 + len(req.Apps)
	cmds := make([]Command, 0, len(req.Usernames)*per)
	for _, u := range req.Usernames {
		cmds = append(cmds,
			Command{Function: FnListIntegrationLinks, Args: url.Values{"user": {u}}},
			Command{Function: FnListIntegrationGroups, Args: url.Values{"user": {u}}})
		for _, app := range req.Apps {
			cmds = append(cmds, Command{Function: FnGetIntegrationLinkUserConfig, Args: url.Values{"user": {u}, "app": {app}}})
		}
	}
	res, err := p.client.Batch(ctx, s, cmds, false)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := readAccount(s, req, res[i*per:(i+1)*per], &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readAccount fills one account's AccountLinks from the results of its
// commands (the two lists, then one config per app of req.Apps). A refusal
// is the account's error; data of the wrong shape fails the whole call, as
// any garbage answer does.
func readAccount(s links.ServerConn, req links.ReadRequest, res []CommandResult, a *links.AccountLinks) error {
	for _, r := range res[:2] {
		if r.Err != nil {
			a.Err = r.Err
			return nil
		}
	}
	listed, err := decodeNames(s, FnListIntegrationLinks, &Result{Data: res[0].Data}, "app")
	if err != nil {
		return err
	}
	groups, err := decodeNames(s, FnListIntegrationGroups, &Result{Data: res[1].Data}, "group")
	if err != nil {
		return err
	}
	a.HasGroup = slices.Contains(groups, req.GroupID)
	found := map[string]links.FoundLink{}
	for _, app := range listed {
		if (req.Prefix != "" && strings.HasPrefix(app, req.Prefix+"_")) || slices.Contains(req.Apps, app) {
			found[app] = links.FoundLink{App: app}
		}
	}
	for j, app := range req.Apps {
		r := res[2+j]
		if r.Err != nil {
			if slices.Contains(listed, app) {
				a.Err = r.Err // listed, yet its fields could not be read
				return nil
			}
			continue // absent: that is why the config was refused
		}
		// A config read means the link exists, even when the list (an
		// instant earlier) did not show it yet.
		cfg, err := decodeUserConfig(s, &Result{Data: r.Data})
		if err != nil {
			return err
		}
		found[app] = links.FoundLink{App: app, Read: true, Label: cfg.Label, Order: cfg.Order, GroupID: cfg.GroupID,
			Implements: cfg.Implements, URL: cfg.URL, AutologinTokenURL: cfg.AutologinTokenURL,
			SubscriberUniqueID: cfg.SubscriberUniqueID}
	}
	a.Links = make([]links.FoundLink, 0, len(found))
	for _, l := range found {
		a.Links = append(a.Links, l)
	}
	slices.SortFunc(a.Links, func(x, y links.FoundLink) int { return strings.Compare(x.App, y.App) })
	return nil
}

// UpdateLinkTokens rotates the token of each account's links in one WHM
// batch: per account list_integration_links, then
// update_integration_link_token on each app of req.Apps. As in ReadLinks,
// the list run just before tells a refused update of an absent link (a
// *MissingLinksError, errors.Is links.ErrLinkMissing: the caller pushes the
// account in full instead) from any other refusal, whatever the panel's
// wording. An account lacking a link fails with that error even when another
// update failed too: the full push repairs both. The tokens are scrubbed
// from every message.
func (p *panel) UpdateLinkTokens(ctx context.Context, s links.ServerConn, req links.TokenRequest) ([]links.AccountResult, error) {
	out := make([]links.AccountResult, len(req.Accounts))
	for i, a := range req.Accounts {
		out[i].Username = a.Username
	}
	if len(req.Accounts) == 0 || len(req.Apps) == 0 {
		return out, nil
	}
	per := 1 + len(req.Apps)
	cmds := make([]Command, 0, len(req.Accounts)*per)
	for _, a := range req.Accounts {
		cmds = append(cmds, Command{Function: FnListIntegrationLinks, Args: url.Values{"user": {a.Username}}})
		for _, app := range req.Apps {
			cmds = append(cmds, Command{Function: FnUpdateIntegrationLinkToken,
				Args: url.Values{"user": {a.Username}, "app": {app}, "token": {a.Token}}})
		}
	}
	res, err := p.client.Batch(ctx, s, cmds, false)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Err, err = tokenResult(s, req.Apps, out[i].Username, res[i*per:(i+1)*per]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tokenResult is one account's outcome of UpdateLinkTokens from the results
// of its commands (the list, then one update per app): the account's error,
// or the whole call's when the list's data has the wrong shape.
func tokenResult(s links.ServerConn, apps []string, user string, res []CommandResult) (acctErr, err error) {
	if res[0].Err != nil {
		return res[0].Err, nil
	}
	listed, err := decodeNames(s, FnListIntegrationLinks, &Result{Data: res[0].Data}, "app")
	if err != nil {
		return nil, err
	}
	var missing []string
	for j, app := range apps {
		r := res[1+j]
		switch {
		case r.Err == nil:
		case !slices.Contains(listed, app):
			missing = append(missing, app)
		case acctErr == nil:
			acctErr = r.Err
		}
	}
	if len(missing) > 0 {
		return &MissingLinksError{Server: ServerName(s), User: user, Apps: missing}, nil
	}
	return acctErr, nil
}
