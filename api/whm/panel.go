package whm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"

	"github.com/applinks/applinks/api/links"
)

var (
	_ links.Panel = (*CPanel)(nil)
	_ links.Panel = (*WPSquared)(nil)

	_ links.Preparer = (*CPanel)(nil)
	_ links.Preparer = (*WPSquared)(nil)
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

// Client returns the WHM client the panel uses.
func (p *panel) Client() *Client { return p.client }

// CheckSupport runs version, applist and (when offered) get_current_profile.
// A server that answers but lacks create_integration_link, or has the wrong
// profile for this panel type, is unsupported with a reason; a failed call is
// an error. With links.ServerConcurrency(ctx) >= 3 the three requests go at
// once (one round trip instead of three) and the profile's answer counts
// only when applist offers the function.
func (p *panel) CheckSupport(ctx context.Context, s links.ServerConn) (links.Support, error) {
	var sup links.Support
	var (
		version          string
		apps             []string
		prof             Profile
		vErr, aErr, pErr error
	)
	if links.ServerConcurrency(ctx) >= 3 {
		var wg sync.WaitGroup
		wg.Go(func() { version, vErr = p.client.Version(ctx, s) })
		wg.Go(func() { apps, aErr = p.client.AppList(ctx, s) })
		prof, pErr = p.client.CurrentProfile(ctx, s)
		wg.Wait()
	} else {
		if version, vErr = p.client.Version(ctx, s); vErr == nil {
			if apps, aErr = p.client.AppList(ctx, s); aErr == nil && slices.Contains(apps, FnGetCurrentProfile) {
				prof, pErr = p.client.CurrentProfile(ctx, s)
			}
		}
	}
	switch {
	case vErr != nil:
		return sup, vErr
	case aErr != nil:
		return links.Support{Version: version}, aErr
	}
	sup.Version = version
	if slices.Contains(apps, FnGetCurrentProfile) {
		if pErr != nil {
			return sup, pErr
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

// call is one command of a push or removal and the account it belongs to.
type call struct {
	account int
	cmd     Command
}

// PushLinks creates the group, creates every link and removes the apps in
// Remove, for every account; all accounts go in one batch unless Unbatched.
func (p *panel) PushLinks(ctx context.Context, s links.ServerConn, req links.PushRequest) ([]links.AccountResult, error) {
	return p.PreparePush(s, req).Run(ctx)
}

// RemoveLinks removes every app, then the group, from every account.
func (p *panel) RemoveLinks(ctx context.Context, s links.ServerConn, req links.RemoveRequest) ([]links.AccountResult, error) {
	return p.PrepareRemove(s, req).Run(ctx)
}

// PreparePush builds PushLinks's request, its batch body encoded.
func (p *panel) PreparePush(s links.ServerConn, req links.PushRequest) links.PreparedCall {
	group := Group{ID: req.Group.ID, Label: req.Group.Label, Order: req.Group.Order}
	// A link's arguments but the account's own are the same for every
	// account, and for every request of a run: encoded once.
	linkArgs := make([]*SharedArgs, len(req.Links))
	for j, l := range req.Links {
		il := IntegrationLink{App: l.App, Label: l.Label, Order: l.Order, GroupID: req.Group.ID, Implements: l.Implements,
			AutologinTokenURL: l.AutologinTokenURL, URL: l.URL, Base64PNGImage: l.Base64PNG}
		if l.AccountURL != nil {
			il.URL = "" // per account
		}
		linkArgs[j] = p.linkArgs.get(il)
	}
	calls := make([]call, 0, len(req.Accounts)*(1+len(req.Links)+len(req.Remove)))
	for i, acct := range req.Accounts {
		calls = append(calls, call{i, Command{Function: FnCreateIntegrationGroup, Args: group.Args(acct.Username)}})
		// The account's own arguments are the same on each of its links:
		// encoded once too.
		own := NewSharedArgs(IntegrationLink{SubscriberUniqueID: acct.SubscriberUniqueID, Token: acct.Token}.accountArgs(acct.Username))
		for j, l := range req.Links {
			cmd := Command{Function: FnCreateIntegrationLink}
			if l.AccountURL != nil {
				if u := l.FallbackURL(acct); u != "" {
					cmd.Args = url.Values{"url": {u}}
				}
			}
			calls = append(calls, call{i, cmd.WithShared(linkArgs[j], own)})
		}
		for _, app := range req.Remove {
			calls = append(calls, call{i, Command{Function: FnRemoveIntegrationLink, Args: url.Values{"user": {acct.Username}, "app": {app}}}})
		}
	}
	users := make([]string, len(req.Accounts))
	for i, a := range req.Accounts {
		users[i] = a.Username
	}
	return p.prepare(s, users, calls, req.Unbatched)
}

// PrepareRemove builds RemoveLinks's request, its batch body encoded.
func (p *panel) PrepareRemove(s links.ServerConn, req links.RemoveRequest) links.PreparedCall {
	var calls []call
	for i, user := range req.Usernames {
		for _, app := range req.Apps {
			calls = append(calls, call{i, Command{Function: FnRemoveIntegrationLink, Args: url.Values{"user": {user}, "app": {app}}}})
		}
		if req.GroupID != "" {
			calls = append(calls, call{i, Command{Function: FnRemoveIntegrationGroup, Args: url.Values{"user": {user}, "group_id": {req.GroupID}}}})
		}
	}
	return p.prepare(s, req.Usernames, calls, req.Unbatched)
}

// preparedCall is a push or removal ready to go: its calls, and with
// batching its batch body, encoded once however often it is sent.
type preparedCall struct {
	p         *panel
	s         links.ServerConn
	users     []string
	calls     []call
	unbatched bool
	cmds      []Command
	body      string
}

func (p *panel) prepare(s links.ServerConn, users []string, calls []call, unbatched bool) *preparedCall {
	pc := &preparedCall{p: p, s: s, users: users, calls: calls, unbatched: unbatched}
	if !unbatched && len(calls) > 0 {
		pc.cmds = make([]Command, len(calls))
		for i, c := range calls {
			pc.cmds[i] = c.cmd
		}
		pc.body = encodeBatch(pc.cmds, false)
	}
	return pc
}

// Run sends the calls (one batch, or one request each) and maps the outcome
// back to accounts: an account fails with the PanelError of its first failed
// command. A whole-request failure returns an error and no results.
func (pc *preparedCall) Run(ctx context.Context) ([]links.AccountResult, error) {
	p, s, calls := pc.p, pc.s, pc.calls
	results := make([]links.AccountResult, len(pc.users))
	for i, u := range pc.users {
		results[i].Username = u
	}
	if len(calls) == 0 {
		return results, nil
	}
	fail := func(c call, err error) {
		if results[c.account].Err == nil {
			results[c.account].Err = err
		}
	}
	if pc.unbatched {
		for _, c := range calls {
			_, err := p.client.Call(ctx, s, c.cmd.Function, c.cmd.AllArgs())
			var pe *PanelError
			switch {
			case err == nil:
			case errors.As(err, &pe):
				fail(c, pe)
			default:
				return nil, err
			}
		}
		return results, nil
	}
	out, err := p.client.sendBatch(ctx, s, pc.cmds, pc.body)
	if err != nil {
		return nil, err
	}
	for i, c := range calls {
		if out[i].Err != nil {
			fail(c, out[i].Err)
		}
	}
	return results, nil
}

// CreateSession returns a one-time login URL into the account's cPanel.
func (p *panel) CreateSession(ctx context.Context, s links.ServerConn, username string) (string, error) {
	return p.client.CreateUserSession(ctx, s, username, ServiceCPanel)
}

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
