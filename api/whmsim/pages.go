package whmsim

import (
	"context"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxRetryWait is cPanel's cap on the wait a {"retry":N} answer asks for.
const maxRetryWait = 60 * time.Second

// clickAttempts is how many times cPanel calls the autologin URL at most.
const clickAttempts = 3

// linkWithToken returns a stored link with its token.
func (s *Server) linkWithToken(user, app string) (Link, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[user]
	if a == nil {
		return Link{}, "", false
	}
	l := a.links[app]
	if l == nil {
		return Link{}, "", false
	}
	return l.Link, l.token, true
}

// autologinAnswer is what the billing system's autologin endpoint said.
type autologinAnswer struct {
	redirect string
	retry    *float64
}

// click does what cPanel does when the user clicks an integration link: POST
// the form to the registered autologin_token_url (query string kept), follow
// the retry protocol (at most 3 attempts, waits capped at 60 s and scaled by
// WithRetryScale), then send the browser to redirect_url, or to the link's
// url on any failure.
func (s *Sim) click(w http.ResponseWriter, r *http.Request, srv *Server, user, app string) {
	l, token, ok := srv.linkWithToken(user, app)
	if !ok {
		writePage(w, http.StatusNotFound, "No such link",
			"The account "+strconv.Quote(user)+" on "+srv.Name()+" has no integration link "+strconv.Quote(app)+".")
		return
	}
	log := s.log.With("server", srv.Name(), "user", user, "app", app)
	if l.AutologinTokenURL != "" {
		form := url.Values{
			"subscriber_unique_id": {l.SubscriberUniqueID},
			"token":                {token},
			"url":                  {l.URL},
			"label":                {l.Label},
			"implements":           {l.Implements},
			"group_id":             {l.GroupID},
			"order":                {strconv.Itoa(l.Order)},
		}
		for attempt := 1; attempt <= clickAttempts; attempt++ {
			form.Set("attempt", strconv.Itoa(attempt))
			ans, why := s.callAutologin(r.Context(), l.AutologinTokenURL, form)
			if ans.redirect != "" {
				log.Info("whmsim: click redirected", "attempt", attempt)
				http.Redirect(w, r, ans.redirect, http.StatusFound)
				return
			}
			if ans.retry == nil || attempt == clickAttempts {
				if why == "" {
					why = "no redirect_url after " + strconv.Itoa(attempt) + " attempts"
				}
				log.Info("whmsim: click falls back to the link's url", "attempt", attempt, "why", why)
				break
			}
			wait := time.Duration(min(max(*ans.retry, 0), maxRetryWait.Seconds()) * float64(time.Second) * s.retryScale)
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.done:
				t.Stop()
				writePage(w, http.StatusServiceUnavailable, "Simulator closed", "The simulator is shutting down.")
				return
			}
		}
	}
	if l.URL == "" {
		writePage(w, http.StatusBadGateway, "Login failed",
			"The autologin call failed and the link has no fallback url.")
		return
	}
	http.Redirect(w, r, l.URL, http.StatusFound)
}

// callAutologin makes one autologin POST. A usable answer is HTTP 2xx JSON
// with an absolute http(s) redirect_url, or a numeric retry.
func (s *Sim) callAutologin(ctx context.Context, target string, form url.Values) (autologinAnswer, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return autologinAnswer{}, "bad autologin_token_url: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "whmsim-cpanel-integration/1")
	resp, err := s.clickClient.Do(req)
	if err != nil {
		return autologinAnswer{}, "autologin call failed: " + err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return autologinAnswer{}, "autologin answer unreadable: " + err.Error()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return autologinAnswer{}, "autologin answered HTTP " + strconv.Itoa(resp.StatusCode)
	}
	var v struct {
		RedirectURL any `json:"redirect_url"`
		Retry       any `json:"retry"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return autologinAnswer{}, "autologin answer is not JSON"
	}
	if str, ok := v.RedirectURL.(string); ok && str != "" {
		if u, err := url.Parse(str); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			return autologinAnswer{redirect: str}, ""
		}
		return autologinAnswer{}, "redirect_url is not an absolute http(s) URL"
	}
	switch n := v.Retry.(type) {
	case float64:
		return autologinAnswer{retry: &n}, ""
	case string:
		if f, err := strconv.ParseFloat(n, 64); err == nil {
			return autologinAnswer{retry: &f}, ""
		}
	}
	return autologinAnswer{}, "the answer has neither redirect_url nor retry"
}

// serveSessionLogin is where a create_user_session URL lands: the one-time
// session opens the account's cPanel page.
func (s *Server) serveSessionLogin(w http.ResponseWriter, r *http.Request) {
	done, ok := s.track(false)
	if !ok {
		http.Error(w, "server stopped", http.StatusServiceUnavailable)
		return
	}
	defer done()
	session := r.URL.Query().Get("session")
	s.mu.Lock()
	user, ok := s.sessions[session]
	delete(s.sessions, session) // one use only
	s.mu.Unlock()
	if !ok {
		writeLoginPage(w, http.StatusUnauthorized)
		return
	}
	s.writeAccountPage(w, user, "/__sim/click?")
}

// pageLink is one link as the account page shows it.
type pageLink struct {
	Link
	ClickURL string
}

// pageGroup is one menu group as the account page shows it.
type pageGroup struct {
	Group
	Links []pageLink
}

// accountPage is the data of the account page template.
type accountPage struct {
	Server    string
	Version   string
	Profile   string
	Account   Account
	Groups    []pageGroup
	UserMenu  []pageLink
	IndexHref string
}

// writeAccountPage renders the account's links grouped as cPanel shows them:
// groups by order then label, links by order then label. clickBase is the
// click URL prefix ending in "?" or "&".
func (s *Server) writeAccountPage(w http.ResponseWriter, user, clickBase string) {
	s.mu.Lock()
	a := s.accounts[user]
	if a == nil {
		s.mu.Unlock()
		writePage(w, http.StatusNotFound, "No such account", "The server "+s.Name()+" has no account "+strconv.Quote(user)+".")
		return
	}
	acct := a.Account
	ls := a.sortedLinks()
	gs := a.sortedGroups()
	s.mu.Unlock()

	page := accountPage{Server: s.Name(), Version: s.cfg.Version, Profile: s.cfg.Profile, Account: acct}
	if strings.Contains(clickBase, "server=") {
		page.IndexHref = "/__sim/"
	}
	byGroup := map[string]*pageGroup{}
	for _, g := range gs {
		page.Groups = append(page.Groups, pageGroup{Group: g})
	}
	for i := range page.Groups {
		byGroup[page.Groups[i].ID] = &page.Groups[i]
	}
	var other pageGroup
	for _, l := range ls {
		if l.Hide {
			continue
		}
		pl := pageLink{Link: l, ClickURL: clickBase + url.Values{"user": {user}, "app": {l.App}}.Encode()}
		if g := byGroup[l.GroupID]; g != nil {
			g.Links = append(g.Links, pl)
		} else {
			other.Links = append(other.Links, pl)
		}
		if l.Implements != "" {
			page.UserMenu = append(page.UserMenu, pl)
		}
	}
	if len(other.Links) > 0 {
		other.Group = Group{ID: "", Label: "Other Links", Order: defaultOrder + 1}
		page.Groups = append(page.Groups, other)
	}
	sort.SliceStable(page.Groups, func(i, j int) bool {
		if page.Groups[i].Order != page.Groups[j].Order {
			return page.Groups[i].Order < page.Groups[j].Order
		}
		return page.Groups[i].Label < page.Groups[j].Label
	})
	for _, g := range page.Groups {
		sortLinks(g.Links)
	}
	sortLinks(page.UserMenu)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = accountTmpl.Execute(w, page)
}

func sortLinks(ls []pageLink) {
	sort.SliceStable(ls, func(i, j int) bool {
		if ls[i].Order != ls[j].Order {
			return ls[i].Order < ls[j].Order
		}
		return ls[i].Label < ls[j].Label
	})
}

const pageStyle = `<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:60rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem;border-bottom:1px solid #ddd}
small,.muted{color:#777}ul{list-style:none;padding-left:0}li{margin:.3rem 0}
a{color:#0a5ebf}table{border-collapse:collapse}td,th{padding:.2rem .8rem .2rem 0;text-align:left}
.warn{color:#a40}
</style>`

var accountTmpl = template.Must(template.New("account").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cPanel - {{.Account.User}}</title>` + pageStyle + `</head>
<body>
{{if .IndexHref}}<p><a href="{{.IndexHref}}">&larr; all servers</a></p>{{end}}
<h1>cPanel: {{.Account.User}} <small>({{.Account.Domain}})</small></h1>
<p class="muted">Server {{.Server}} &middot; version {{.Version}} &middot; profile {{.Profile}} &middot; owner {{.Account.Owner}}</p>
{{if .Account.Suspended}}<p class="warn">This account is suspended.</p>{{end}}
{{if .UserMenu}}<h2>User menu</h2>
<ul>{{range .UserMenu}}<li><a href="{{.ClickURL}}" target="_blank" rel="noopener">{{.Label}}</a> <small>{{.Implements}}</small></li>{{end}}</ul>{{end}}
{{range .Groups}}<h2>{{.Label}} <small>{{if .ID}}{{.ID}} &middot; {{end}}order {{.Order}}</small></h2>
{{if .Links}}<ul>{{range .Links}}<li><a href="{{.ClickURL}}" target="_blank" rel="noopener">{{.Label}}</a> <small>{{.App}} &middot; order {{.Order}}{{if .Implements}} &middot; {{.Implements}}{{end}}</small></li>{{end}}</ul>
{{else}}<p class="muted">No links in this group.</p>{{end}}
{{else}}<p class="muted">No integration links.</p>{{end}}
</body></html>
`))

// indexServer is one server on the index page.
type indexServer struct {
	Name, URL, Version, Profile, Module string
	Refusing                            bool
	Accounts                            []indexAccount
}

type indexAccount struct {
	Account
	Links int
	Href  string
}

var indexTmpl = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>WHM simulator</title>` + pageStyle + `</head>
<body>
<h1>WHM simulator</h1>
<p class="muted">JSON: <a href="/__sim/servers">/__sim/servers</a></p>
{{range .}}<h2>{{.Name}} <small>{{.Module}} &middot; {{.Version}} &middot; {{.Profile}} &middot; {{.URL}}{{if .Refusing}} &middot; <span class="warn">refusing connections</span>{{end}}</small></h2>
{{if .Accounts}}<table><tr><th>account</th><th>domain</th><th>owner</th><th>links</th></tr>
{{range .Accounts}}<tr><td><a href="{{.Href}}">{{.User}}</a>{{if .Suspended}} <small class="warn">suspended</small>{{end}}</td><td>{{.Domain}}</td><td>{{.Owner}}</td><td>{{.Links}}</td></tr>
{{end}}</table>{{else}}<p class="muted">No accounts.</p>{{end}}
{{else}}<p class="muted">No servers.</p>{{end}}
</body></html>
`))

var messageTmpl = template.Must(template.New("message").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>` + pageStyle + `</head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>
`))

// writePage writes a small HTML message page.
func writePage(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = messageTmpl.Execute(w, struct{ Title, Text string }{title, text})
}
