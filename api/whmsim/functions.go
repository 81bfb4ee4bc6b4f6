package whmsim

// The WHM API 1 functions the simulated panel implements: the accounts,
// sessions, and the integration links and groups of each account.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// appList returns the functions this server offers, sorted.
func (s *Server) appList() []string {
	out := []string{"batch"}
	for _, fn := range functionNames {
		if s.available(fn) {
			out = append(out, fn)
		}
	}
	sort.Strings(out)
	return out
}

func (s *Server) getCurrentProfile(_ caller, _ form, _ Faults) (any, *apiError) {
	name, desc := "Standard", "The Standard profile provides every cPanel & WHM service."
	switch s.cfg.Profile {
	case ProfileWPSquared:
		name, desc = "WP Squared", "WP Squared provides WordPress hosting."
	case DefaultProfile:
	default:
		name, desc = s.cfg.Profile, "A custom server profile."
	}
	return map[string]any{"code": s.cfg.Profile, "name": name, "description": desc,
		"enabled_roles": []any{}, "disabled_roles": []any{}, "optional_roles": []any{}}, nil
}

// listAccts returns the accounts the caller may see: all for root, its own
// for a reseller.
func (s *Server) listAccts(c caller) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, u := range s.order {
		a := s.accounts[u]
		if !c.root && a.Owner != c.user {
			continue
		}
		susp := 0
		if a.Suspended {
			susp = 1
		}
		out = append(out, map[string]any{
			"user": a.User, "domain": a.Domain, "email": a.Email, "owner": a.Owner,
			"suspended": susp, "plan": "default", "ip": "127.0.0.1", "partition": "home", "theme": "jupiter",
		})
	}
	return out
}

// account checks the user argument and the caller's access, and injects the
// per-account faults. It returns the account with s.mu held on success; the
// caller must unlock.
func (s *Server) account(c caller, args form, f Faults) (*account, *apiError) {
	return s.accountOf(c, args.Get("user"), f)
}

// accountOf is account for the user argument user.
func (s *Server) accountOf(c caller, user string, f Faults) (*account, *apiError) {
	if user == "" {
		return nil, fail(msgRequired, "user")
	}
	s.mu.Lock()
	a := s.accounts[user]
	switch {
	case a == nil:
		s.mu.Unlock()
		return nil, fail(msgNoUser, user)
	case (!c.root && a.Owner != c.user) || f.refused(user):
		s.mu.Unlock()
		return nil, fail(msgNoAccess, user)
	}
	if f.ErrorRate > 0 {
		s.mu.Unlock()
		if s.chance(f.ErrorRate) {
			s.countInjected("error")
			return nil, fail(s.pick(transientErrors), user)
		}
		s.mu.Lock()
	}
	return a, nil
}

func (s *Server) createUserSession(c caller, args form, f Faults) (any, *apiError) {
	a, err := s.account(c, args, f)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	service := args.Get("service")
	switch service {
	case "":
		return nil, fail(msgRequired, "service")
	case "cpaneld", "whostmgrd", "webmaild":
	default:
		return nil, fail(msgBadService, service)
	}
	cpsess := "cpsess" + s.randomDigits(10)
	session := a.User + ":" + s.randomID(16)
	s.sessions[session] = a.User
	u := fmt.Sprintf("%s/%s/login/?session=%s", s.URL(), cpsess, url.QueryEscape(session))
	return map[string]any{
		"url": u, "session": session, "service": service, "cp_security_token": "/" + cpsess,
		"expires": time.Now().Add(15 * time.Minute).Unix(),
	}, nil
}

func (s *Server) randomDigits(n int) string {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + s.rng.IntN(10))
	}
	return string(b)
}

// validName checks an app name or group id.
func validName(param, v string) *apiError {
	if v == "" {
		return fail(msgRequired, param)
	}
	// (An app name is ASCII: EqualFold is ToLower here.)
	if !isAppName(v) || len(v) >= len("group_") && strings.EqualFold(v[:len("group_")], "group_") {
		return fail(msgBadName, param, v)
	}
	return nil
}

// parseOrder reads an order argument, 99999 when absent.
func parseOrder(v string) (int, *apiError) {
	if strings.TrimSpace(v) == "" {
		return defaultOrder, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fail(msgBadOrder, v)
	}
	return n, nil
}

func parseBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func (s *Server) createGroup(c caller, args form, f Faults) (any, *apiError) {
	id, label := args.Get("group_id"), args.Get("label")
	if err := validName("group_id", id); err != nil {
		return nil, err
	}
	if label == "" {
		return nil, fail(msgRequired, "label")
	}
	if strings.Contains(label, "'") {
		return nil, fail(msgApostrophe)
	}
	order, oerr := parseOrder(args.Get("order"))
	if oerr != nil {
		return nil, oerr
	}
	a, err := s.account(c, args, f)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	g, ok := a.groups[id]
	if !ok {
		g.ID = strings.Clone(id)
	}
	a.groups[g.ID] = Group{ID: g.ID, Label: keep(g.Label, label), Order: order}
	return nil, nil
}

func (s *Server) removeGroup(c caller, args form, f Faults) (any, *apiError) {
	id := args.Get("group_id")
	if err := validName("group_id", id); err != nil {
		return nil, err
	}
	a, err := s.account(c, args, f)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	delete(a.groups, id)
	return nil, nil
}

// linkArgs are create_integration_link's arguments.
type linkArgs struct {
	Link
	user, token, order, hide string
}

// read takes the first value of each argument from args, as Get does, in
// one pass (a push runs this for every link of every account).
func (la *linkArgs) read(args form) {
	var seen uint16
	for _, p := range args {
		var (
			bit uint16
			v   *string
		)
		switch p.key {
		case "app":
			bit, v = 1<<0, &la.App
		case "label":
			bit, v = 1<<1, &la.Label
		case "group_id":
			bit, v = 1<<2, &la.GroupID
		case "implements":
			bit, v = 1<<3, &la.Implements
		case "subscriber_unique_id":
			bit, v = 1<<4, &la.SubscriberUniqueID
		case "autologin_token_url":
			bit, v = 1<<5, &la.AutologinTokenURL
		case "url":
			bit, v = 1<<6, &la.URL
		case "base64_png_image":
			bit, v = 1<<7, &la.Base64PNGImage
		case "user":
			bit, v = 1<<8, &la.user
		case "token":
			bit, v = 1<<9, &la.token
		case "order":
			bit, v = 1<<10, &la.order
		case "hide":
			bit, v = 1<<11, &la.hide
		default:
			continue
		}
		if seen&bit == 0 {
			seen |= bit
			*v = p.value
		}
	}
}

func (s *Server) createLink(c caller, args form, f Faults) (any, *apiError) {
	var la linkArgs
	la.read(args)
	l, token := la.Link, la.token
	l.Hide = parseBool(la.hide)
	if err := validName("app", l.App); err != nil {
		return nil, err
	}
	if l.GroupID != "" {
		if err := validName("group_id", l.GroupID); err != nil {
			return nil, err
		}
	}
	switch {
	case l.Label == "":
		return nil, fail(msgRequired, "label")
	case strings.Contains(l.Label, "'"):
		return nil, fail(msgApostrophe)
	case l.AutologinTokenURL == "" && l.URL == "":
		return nil, fail(msgNeedURL)
	case l.SubscriberUniqueID == "":
		return nil, fail(msgRequired, "subscriber_unique_id")
	case token == "":
		return nil, fail(msgRequired, "token")
	}
	for _, p := range []struct{ name, v string }{{"autologin_token_url", l.AutologinTokenURL}, {"url", l.URL}} {
		if p.v == "" {
			continue
		}
		if !absoluteURL(p.v) {
			return nil, fail("The parameter “%s” must be an absolute http or https URL.", p.name)
		}
	}
	order, oerr := parseOrder(la.order)
	if oerr != nil {
		return nil, oerr
	}
	l.Order = order
	if l.Base64PNGImage != "" {
		if err := checkPNG(l.Base64PNGImage); err != "" {
			return nil, fail(msgBadPNG, err)
		}
	}
	a, err := s.accountOf(c, la.user, f)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if stored := a.links[l.App]; stored != nil {
		stored.keep(l, token)
	} else {
		stored = new(storedLink)
		stored.keep(l, token)
		a.links[stored.App] = stored
	}
	return nil, nil
}

// absoluteURL tells whether v is an absolute http or https URL.
func absoluteURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkPNG decodes a base64 PNG; it returns why it is not one, or "".
func checkPNG(b64 string) string {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(b64), "="))
		if err != nil {
			return "it is not valid base64"
		}
	}
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		return "it does not decode to a PNG image"
	}
	return ""
}

func (s *Server) removeLink(c caller, args form, f Faults) (any, *apiError) {
	app := args.Get("app")
	if app == "" {
		return nil, fail(msgRequired, "app")
	}
	a, err := s.account(c, args, f)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	delete(a.links, app)
	return nil, nil
}

func (s *Server) listLinks(c caller, args form, f Faults) (any, *apiError) {
	a, err := s.account(c, args, f)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := []map[string]string{}
	for _, l := range a.sortedLinks() {
		out = append(out, map[string]string{"app": l.App})
	}
	return map[string]any{"links": out}, nil
}

func (s *Server) listGroups(c caller, args form, f Faults) (any, *apiError) {
	a, err := s.account(c, args, f)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := []map[string]string{}
	for _, g := range a.sortedGroups() {
		out = append(out, map[string]string{"group": g.ID})
	}
	// The key really is "links", as in cPanel.
	return map[string]any{"links": out}, nil
}

func (s *Server) userConfig(c caller, args form, f Faults) (any, *apiError) {
	app := args.Get("app")
	if app == "" {
		return nil, fail(msgRequired, "app")
	}
	a, err := s.account(c, args, f)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	l := a.links[app]
	if l == nil {
		return nil, fail(msgNoLink, a.User, app)
	}
	cfg := map[string]string{
		"app": l.App, "label": l.Label, "order": strconv.Itoa(l.Order), "group_id": l.GroupID,
		"implements": l.Implements, "subscriber_unique_id": l.SubscriberUniqueID,
		"autologin_token_url": l.AutologinTokenURL, "url": l.URL, "hide": "0",
	}
	if l.Hide {
		cfg["hide"] = "1"
	}
	if l.Base64PNGImage != "" {
		cfg["base64_png_image"] = l.Base64PNGImage
	}
	// Never the token.
	return map[string]any{"userconfig": cfg}, nil
}

func (s *Server) updateToken(c caller, args form, f Faults) (any, *apiError) {
	app, token := args.Get("app"), args.Get("token")
	if app == "" {
		return nil, fail(msgRequired, "app")
	}
	if token == "" {
		return nil, fail(msgRequired, "token")
	}
	a, err := s.account(c, args, f)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	l := a.links[app]
	if l == nil {
		return nil, fail(msgNoLink, a.User, app)
	}
	l.token = keep(l.token, token)
	return nil, nil
}
