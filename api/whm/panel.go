package whm

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/applinks/applinks/api/links"
)

var (
	_ links.Panel = (*CPanel)(nil)
	_ links.Panel = (*WPSquared)(nil)
)

// Support reasons reported by CheckSupport.
const (
	ReasonCPanelTooOld    = "requires cPanel & WHM 11.54 or later"
	ReasonWPSquaredNoLink = "this WP Squared server does not offer application links (create_integration_link is missing from applist)"
	ReasonIsWPSquared     = "this is a WP Squared server; add it under WP Squared"
	ReasonNotWPSquared    = "this is not a WP Squared server (its profile is %q, not WP2); add it under cPanel & WHM"
	ReasonNoProfile       = "this is not a WP Squared server (it reports no server profile); add it under cPanel & WHM"
)

// CPanel is the cPanel & WHM panel type: it implements links.Panel over WHM
// API 1 and refuses WP Squared servers.
type CPanel struct{ panel }

// WPSquared is the WP Squared panel type: it implements links.Panel over WHM
// API 1 and accepts only servers whose profile is WP2.
type WPSquared struct{ panel }

// NewCPanel returns the cPanel & WHM panel type with its own Client.
func NewCPanel(opts Options) *CPanel {
	return &CPanel{panel{client: NewClient(opts), module: links.ModuleCPanel, linkArgs: &sharedArgsCache{}}}
}

// NewWPSquared returns the WP Squared panel type with its own Client.
func NewWPSquared(opts Options) *WPSquared {
	return &WPSquared{panel{client: NewClient(opts), module: links.ModuleWPSquared, wantWP2: true, linkArgs: &sharedArgsCache{}}}
}

// panel is the code both panel types share: they differ only in the module
// key and the profile they accept.
type panel struct {
	client   *Client
	module   string
	wantWP2  bool
	linkArgs *sharedArgsCache // the links' shared arguments, encoded
}

// Module returns the application key.
func (p *panel) Module() string { return p.module }

// supportCalls are a support check's discovery calls, made in one batch.
var supportCalls = []Command{{Function: FnVersion}, {Function: FnAppList}, {Function: FnGetCurrentProfile}}

// CheckSupport reads the server's version, functions and profile in one
// batch request (one round trip, not three) and tells whether it supports
// application links for this panel's module: a server that answers but
// lacks create_integration_link, or has the wrong profile for this panel
// type, is unsupported with a reason; a refused call is an error. The
// profile counts only where applist offers get_current_profile: older
// servers refuse the function.
func (p *panel) CheckSupport(ctx context.Context, s links.ServerConn) (links.Support, error) {
	var sup links.Support
	res, err := p.client.Batch(ctx, s, supportCalls, false)
	if err != nil {
		return sup, err
	}
	if sup.Version, err = decodeResult(s, res[0], parseVersion); err != nil {
		return links.Support{}, err
	}
	apps, err := decodeResult(s, res[1], parseAppList)
	if err != nil {
		return sup, err
	}
	if slices.Contains(apps, FnGetCurrentProfile) {
		prof, err := decodeResult(s, res[2], parseProfile)
		if err != nil {
			return sup, err
		}
		sup.Profile = prof.Code
	}
	isWP2 := sup.Profile == ProfileWPSquared
	switch {
	case p.wantWP2 && sup.Profile == "":
		sup.Reason = ReasonNoProfile
	case p.wantWP2 && !isWP2:
		sup.Reason = fmt.Sprintf(ReasonNotWPSquared, sup.Profile)
	case !p.wantWP2 && isWP2:
		sup.Reason = ReasonIsWPSquared
	case !slices.Contains(apps, FnCreateIntegrationLink):
		sup.Reason = ReasonCPanelTooOld
		if p.wantWP2 {
			sup.Reason = ReasonWPSquaredNoLink
		}
	default:
		sup.Supported = true
	}
	return sup, nil
}

// decodeResult reads one command's result of a batch with parse, or
// returns the panel's refusal of it.
func decodeResult[T any](s links.ServerConn, r CommandResult, parse func(links.ServerConn, *Result) (T, error)) (T, error) {
	if r.Err != nil {
		var zero T
		return zero, r.Err
	}
	return parse(s, &Result{Command: r.Function, Data: r.Data})
}

// call is one command of a push or removal and the account it belongs to.
type call struct {
	account int
	cmd     Command
}

// PushLinks creates the group, creates every link and removes the apps in
// Remove, for every account, in one WHM batch.
func (p *panel) PushLinks(ctx context.Context, s links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	users, calls := p.pushCalls(req)
	return p.run(ctx, s, users, calls)
}

// RemoveLinks removes every app, then the group, from every account, in one
// WHM batch.
func (p *panel) RemoveLinks(ctx context.Context, s links.ServerConn, req links.RemoveRequest) ([]links.AccountResult, error) {
	var calls []call
	for i, user := range req.Usernames {
		for _, app := range req.Apps {
			calls = append(calls, call{i, Command{Function: FnRemoveIntegrationLink, Args: url.Values{"user": {user}, "app": {app}}}})
		}
		if req.GroupID != "" {
			calls = append(calls, call{i, Command{Function: FnRemoveIntegrationGroup, Args: url.Values{"user": {user}, "group_id": {req.GroupID}}}})
		}
	}
	return p.run(ctx, s, req.Usernames, calls)
}

// pushCalls builds PushLinks's commands and the accounts they belong to.
// The body is assembled from pieces encoded once: a link's arguments but the
// account's own (the same for every account, and for every request of a
// run), the account's own arguments (the same on each of its links) and,
// for a link whose url names the account (links.LinkSpec.SubURL), the
// account's subscriber id, which ends the url that the link's piece opens.
func (p *panel) pushCalls(req links.PushRequest) ([]string, []call) {
	group := Group{ID: req.Group.ID, Label: req.Group.Label, Order: req.Group.Order}
	plain := make([]IntegrationLink, len(req.Links))
	linkArgs := make([]*SharedArgs, len(req.Links))
	for j, l := range req.Links {
		plain[j] = IntegrationLink{App: l.App, Label: l.Label, Order: l.Order, GroupID: req.Group.ID, Implements: l.Implements,
			AutologinTokenURL: l.AutologinTokenURL, URL: l.URL, Base64PNGImage: l.Base64PNG}
		il := plain[j]
		if l.SubURL {
			il.URL, il.urlOpen = l.URL+links.SubQueryKey, true
		}
		linkArgs[j] = p.linkArgs.get(il)
	}
	calls := make([]call, 0, len(req.Accounts)*(1+len(req.Links)+len(req.Remove)))
	for i, acct := range req.Accounts {
		calls = append(calls, call{i, Command{Function: FnCreateIntegrationGroup, Args: group.Args(acct.Username)}})
		own := NewSharedArgs(IntegrationLink{SubscriberUniqueID: acct.SubscriberUniqueID, Token: acct.Token}.accountArgs(acct.Username))
		var sub *SharedArgs
		if acct.SubscriberUniqueID != "" {
			sub = valuePiece(links.SubValue(acct.SubscriberUniqueID))
		}
		for j, l := range req.Links {
			cmd := Command{Function: FnCreateIntegrationLink}
			switch {
			case !l.SubURL:
				cmd = cmd.WithShared(linkArgs[j], own)
			case sub == nil: // no id to name: the link's own url
				cmd = cmd.WithShared(p.linkArgs.get(plain[j]), own)
			default:
				cmd = cmd.WithShared(linkArgs[j], sub, own)
			}
			calls = append(calls, call{i, cmd})
		}
		for _, app := range req.Remove {
			calls = append(calls, call{i, Command{Function: FnRemoveIntegrationLink, Args: url.Values{"user": {acct.Username}, "app": {app}}}})
		}
	}
	users := make([]string, len(req.Accounts))
	for i, a := range req.Accounts {
		users[i] = a.Username
	}
	return users, calls
}

// commands returns the calls' commands, in order.
func commands(calls []call) []Command {
	cmds := make([]Command, len(calls))
	for i, c := range calls {
		cmds[i] = c.cmd
	}
	return cmds
}

// run sends the calls in one batch and maps the outcome back to accounts:
// an account fails with the PanelError of its first failed command. A
// whole-request failure returns an error and no results.
func (p *panel) run(ctx context.Context, s links.ServerConn, users []string, calls []call) ([]links.AccountResult, error) {
	results := make([]links.AccountResult, len(users))
	for i, u := range users {
		results[i].Username = u
	}
	if len(calls) == 0 {
		return results, nil
	}
	cmds := commands(calls)
	out, err := p.client.sendBatch(ctx, s, cmds, encodeBatch(cmds, false))
	if err != nil {
		return nil, err
	}
	for i, c := range calls {
		if out[i].Err != nil && results[c.account].Err == nil {
			results[c.account].Err = out[i].Err
		}
	}
	return results, nil
}

// CreateSession returns a one-time login URL into the account's cPanel.
func (p *panel) CreateSession(ctx context.Context, s links.ServerConn, username string) (string, error) {
	return p.client.CreateUserSession(ctx, s, username, ServiceCPanel)
}

// CloseIdle closes the server's idle keep-alive connections.
func (p *panel) CloseIdle(s links.ServerConn) { p.client.CloseIdle(s) }

// ListAccounts lists the hosting accounts the server's credentials may see.
func (p *panel) ListAccounts(ctx context.Context, s links.ServerConn) ([]links.PanelAccount, error) {
	accts, err := p.client.ListAccounts(ctx, s)
	if err != nil {
		return nil, err
	}
	out := make([]links.PanelAccount, len(accts))
	for i, a := range accts {
		out[i] = links.PanelAccount{Username: a.User, Domain: a.Domain, Email: a.Email, Suspended: a.Suspended}
	}
	return out, nil
}
