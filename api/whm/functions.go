package whm

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/applinks/applinks/api/links"
)

// WHM API 1 function names used by this package.
const (
	FnVersion                      = "version"
	FnAppList                      = "applist"
	FnGetCurrentProfile            = "get_current_profile"
	FnListAccts                    = "listaccts"
	FnCreateIntegrationGroup       = "create_integration_group"
	FnRemoveIntegrationGroup       = "remove_integration_group"
	FnCreateIntegrationLink        = "create_integration_link"
	FnRemoveIntegrationLink        = "remove_integration_link"
	FnListIntegrationLinks         = "list_integration_links"
	FnListIntegrationGroups        = "list_integration_groups"
	FnGetIntegrationLinkUserConfig = "get_integration_link_user_config"
	FnUpdateIntegrationLinkToken   = "update_integration_link_token"
	FnBatch                        = "batch"
	FnCreateUserSession            = "create_user_session"
)

// Values of get_current_profile and create_user_session.
const (
	ProfileWPSquared = "WP2"       // get_current_profile code of WP Squared
	ServiceCPanel    = "cpaneld"   // create_user_session service of cPanel
	ServiceWHM       = "whostmgrd" // create_user_session service of WHM
)

// defaultOrder is cPanel's order of a link or group that has none.
const defaultOrder = 99999

const missingDataMessage = "the answer has no usable data"

// decodeData decodes a Result's data object into v; a mismatch is a
// malformed-answer TransportError naming the server.
func decodeData(s links.ServerConn, function string, res *Result, v any) error {
	if len(res.Data) == 0 {
		return &TransportError{Server: ServerName(s), Function: function, Kind: KindMalformed, Message: missingDataMessage}
	}
	if err := json.Unmarshal(res.Data, v); err != nil {
		return &TransportError{Server: ServerName(s), Function: function, Kind: KindMalformed, Err: err,
			Message: "the answer's data does not have the documented shape"}
	}
	return nil
}

// Version returns the server's cPanel & WHM version, e.g. "11.120.0.16".
func (c *Client) Version(ctx context.Context, s links.ServerConn) (string, error) {
	res, err := c.Call(ctx, s, FnVersion, nil)
	if err != nil {
		return "", err
	}
	return parseVersion(s, res)
}

// parseVersion reads a version answer.
func parseVersion(s links.ServerConn, res *Result) (string, error) {
	var d struct {
		Version flexString `json:"version"`
	}
	if err := decodeData(s, FnVersion, res, &d); err != nil {
		return "", err
	}
	if d.Version == "" {
		return "", &TransportError{Server: ServerName(s), Function: FnVersion, Kind: KindMalformed, Message: "the answer carries no version"}
	}
	return string(d.Version), nil
}

// AppList returns the WHM API 1 functions the server offers.
func (c *Client) AppList(ctx context.Context, s links.ServerConn) ([]string, error) {
	res, err := c.Call(ctx, s, FnAppList, nil)
	if err != nil {
		return nil, err
	}
	return parseAppList(s, res)
}

// parseAppList reads an applist answer.
func parseAppList(s links.ServerConn, res *Result) ([]string, error) {
	var d struct {
		App []string `json:"app"`
	}
	if err := decodeData(s, FnAppList, res, &d); err != nil {
		return nil, err
	}
	return d.App, nil
}

// Profile is the server profile reported by get_current_profile.
type Profile struct {
	Code        string `json:"code"` // "WP2" on WP Squared
	Name        string `json:"name"`
	Description string `json:"description"`
}

// CurrentProfile returns the server's profile. Old servers do not offer the
// function; check AppList first.
func (c *Client) CurrentProfile(ctx context.Context, s links.ServerConn) (Profile, error) {
	res, err := c.Call(ctx, s, FnGetCurrentProfile, nil)
	if err != nil {
		return Profile{}, err
	}
	return parseProfile(s, res)
}

// parseProfile reads a get_current_profile answer.
func parseProfile(s links.ServerConn, res *Result) (Profile, error) {
	var d struct {
		Code        flexString `json:"code"`
		Name        flexString `json:"name"`
		Description flexString `json:"description"`
	}
	if err := decodeData(s, FnGetCurrentProfile, res, &d); err != nil {
		return Profile{}, err
	}
	return Profile{Code: string(d.Code), Name: string(d.Name), Description: string(d.Description)}, nil
}

// Account is one hosting account as listed by listaccts.
type Account struct {
	User      string `json:"user"`
	Domain    string `json:"domain"`
	Email     string `json:"email"`
	Owner     string `json:"owner"`
	Plan      string `json:"plan"`
	Suspended bool   `json:"suspended"`
}

// ListAccounts returns the accounts the caller may see (all for root, its own
// for a reseller).
func (c *Client) ListAccounts(ctx context.Context, s links.ServerConn) ([]Account, error) {
	res, err := c.Call(ctx, s, FnListAccts, nil)
	if err != nil {
		return nil, err
	}
	var d struct {
		Acct []struct {
			User      flexString `json:"user"`
			Domain    flexString `json:"domain"`
			Email     flexString `json:"email"`
			Owner     flexString `json:"owner"`
			Plan      flexString `json:"plan"`
			Suspended flexInt    `json:"suspended"`
		} `json:"acct"`
	}
	if err := decodeData(s, FnListAccts, res, &d); err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(d.Acct))
	for _, a := range d.Acct {
		out = append(out, Account{
			User: string(a.User), Domain: string(a.Domain), Email: string(a.Email),
			Owner: string(a.Owner), Plan: string(a.Plan), Suspended: a.Suspended != 0,
		})
	}
	return out, nil
}

// Group is a menu group of integration links in an account's cPanel.
type Group struct {
	ID    string
	Label string
	Order int
}

// Args returns the create_integration_group arguments for the account.
func (g Group) Args(user string) url.Values {
	return url.Values{
		"user":     {user},
		"group_id": {g.ID},
		"label":    {g.Label},
		"order":    {strconv.Itoa(g.Order)},
	}
}

// IntegrationLink is one link as create_integration_link takes it.
type IntegrationLink struct {
	App                string
	Label              string
	Order              int
	GroupID            string
	Implements         string // billing, support, customer_service, upgrade or empty
	SubscriberUniqueID string
	Token              string // secret: scrubbed from every message
	AutologinTokenURL  string
	URL                string
	Base64PNGImage     string // optional
	Hide               bool
	// urlOpen leaves URL out of sharedArgs: the link's encoded shared
	// arguments end with it, open, for the next piece to end (pushCalls).
	urlOpen bool
}

// Args returns the create_integration_link arguments for the account.
func (l IntegrationLink) Args(user string) url.Values {
	v := l.sharedArgs()
	for k, vs := range l.accountArgs(user) {
		v[k] = vs
	}
	return v
}

// sharedArgs are the arguments that do not depend on the account: the same
// for every account a link is pushed to.
func (l IntegrationLink) sharedArgs() url.Values {
	v := url.Values{
		"app":        {l.App},
		"label":      {l.Label},
		"order":      {strconv.Itoa(l.Order)},
		"group_id":   {l.GroupID},
		"implements": {l.Implements},
	}
	if l.AutologinTokenURL != "" {
		v.Set("autologin_token_url", l.AutologinTokenURL)
	}
	if l.URL != "" && !l.urlOpen {
		v.Set("url", l.URL)
	}
	if l.Base64PNGImage != "" {
		v.Set("base64_png_image", l.Base64PNGImage)
	}
	if l.Hide {
		v.Set("hide", "1")
	}
	return v
}

// accountArgs are the arguments that name the account and its credentials.
func (l IntegrationLink) accountArgs(user string) url.Values {
	return url.Values{
		"user":                 {user},
		"subscriber_unique_id": {l.SubscriberUniqueID},
		"token":                {l.Token},
	}
}

// CreateIntegrationGroup creates or replaces a menu group in the account.
func (c *Client) CreateIntegrationGroup(ctx context.Context, s links.ServerConn, user string, g Group) error {
	_, err := c.Call(ctx, s, FnCreateIntegrationGroup, g.Args(user))
	return err
}

// RemoveIntegrationGroup removes a menu group; it succeeds when absent.
func (c *Client) RemoveIntegrationGroup(ctx context.Context, s links.ServerConn, user, groupID string) error {
	_, err := c.Call(ctx, s, FnRemoveIntegrationGroup, url.Values{"user": {user}, "group_id": {groupID}})
	return err
}

// CreateIntegrationLink creates or replaces the link l.App in the account.
func (c *Client) CreateIntegrationLink(ctx context.Context, s links.ServerConn, user string, l IntegrationLink) error {
	_, err := c.Call(ctx, s, FnCreateIntegrationLink, l.Args(user))
	return err
}

// RemoveIntegrationLink removes a link; it succeeds when absent.
func (c *Client) RemoveIntegrationLink(ctx context.Context, s links.ServerConn, user, app string) error {
	_, err := c.Call(ctx, s, FnRemoveIntegrationLink, url.Values{"user": {user}, "app": {app}})
	return err
}

// ListIntegrationLinks returns the app names of the account's links.
func (c *Client) ListIntegrationLinks(ctx context.Context, s links.ServerConn, user string) ([]string, error) {
	return c.listNames(ctx, s, FnListIntegrationLinks, user, "app")
}

// ListIntegrationGroups returns the group ids of the account's link groups.
func (c *Client) ListIntegrationGroups(ctx context.Context, s links.ServerConn, user string) ([]string, error) {
	return c.listNames(ctx, s, FnListIntegrationGroups, user, "group")
}

// listNames reads data.links[].<key>; both list functions answer under
// "links" (list_integration_groups too).
func (c *Client) listNames(ctx context.Context, s links.ServerConn, function, user, key string) ([]string, error) {
	res, err := c.Call(ctx, s, function, url.Values{"user": {user}})
	if err != nil {
		return nil, err
	}
	return decodeNames(s, function, res, key)
}

// decodeNames reads data.links[].<key> from a list function's answer.
func decodeNames(s links.ServerConn, function string, res *Result, key string) ([]string, error) {
	var d struct {
		Links []map[string]flexString `json:"links"`
	}
	if err := decodeData(s, function, res, &d); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(d.Links))
	for _, l := range d.Links {
		if v := string(l[key]); v != "" {
			out = append(out, v)
		}
	}
	return out, nil
}

// UserConfig is a link's stored configuration as
// get_integration_link_user_config returns it; it never holds the token.
type UserConfig struct {
	App                string
	Label              string
	Order              int
	GroupID            string
	Implements         string
	SubscriberUniqueID string
	AutologinTokenURL  string
	URL                string
	Base64PNGImage     string
	Hide               bool
	// Fields holds every scalar field of the answer as text.
	Fields map[string]string
}

// IntegrationLinkUserConfig returns the stored configuration of a link.
func (c *Client) IntegrationLinkUserConfig(ctx context.Context, s links.ServerConn, user, app string) (UserConfig, error) {
	res, err := c.Call(ctx, s, FnGetIntegrationLinkUserConfig, url.Values{"user": {user}, "app": {app}})
	if err != nil {
		return UserConfig{}, err
	}
	return decodeUserConfig(s, res)
}

// decodeUserConfig reads get_integration_link_user_config's answer.
func decodeUserConfig(s links.ServerConn, res *Result) (UserConfig, error) {
	var d struct {
		UserConfig map[string]json.RawMessage `json:"userconfig"`
	}
	if err := decodeData(s, FnGetIntegrationLinkUserConfig, res, &d); err != nil {
		return UserConfig{}, err
	}
	fields := make(map[string]string, len(d.UserConfig))
	for k, raw := range d.UserConfig {
		var v flexString
		if json.Unmarshal(raw, &v) == nil {
			fields[k] = string(v)
		}
	}
	delete(fields, "token") // never expected; never kept
	order, err := strconv.Atoi(strings.TrimSpace(fields["order"]))
	if err != nil {
		order = defaultOrder
	}
	return UserConfig{
		App: fields["app"], Label: fields["label"], Order: order, GroupID: fields["group_id"],
		Implements: fields["implements"], SubscriberUniqueID: fields["subscriber_unique_id"],
		AutologinTokenURL: fields["autologin_token_url"], URL: fields["url"],
		Base64PNGImage: fields["base64_png_image"], Hide: fields["hide"] == "1" || fields["hide"] == "true",
		Fields: fields,
	}, nil
}

// UpdateIntegrationLinkToken replaces the secret of an existing link.
func (c *Client) UpdateIntegrationLinkToken(ctx context.Context, s links.ServerConn, user, app, token string) error {
	_, err := c.Call(ctx, s, FnUpdateIntegrationLinkToken, url.Values{"user": {user}, "app": {app}, "token": {token}})
	return err
}

// CreateUserSession returns a one-time login URL into the account's service
// (ServiceCPanel or ServiceWHM).
func (c *Client) CreateUserSession(ctx context.Context, s links.ServerConn, user, service string) (string, error) {
	res, err := c.Call(ctx, s, FnCreateUserSession, url.Values{"user": {user}, "service": {service}})
	if err != nil {
		return "", err
	}
	var d struct {
		URL flexString `json:"url"`
	}
	if err := decodeData(s, FnCreateUserSession, res, &d); err != nil {
		return "", err
	}
	u, perr := url.Parse(string(d.URL))
	if d.URL == "" || perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &TransportError{Server: ServerName(s), Function: FnCreateUserSession, Kind: KindMalformed,
			Message: "the answer carries no usable login URL"}
	}
	return string(d.URL), nil
}
