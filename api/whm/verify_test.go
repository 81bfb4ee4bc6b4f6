package whm_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

// readRequest asks for the links of pushRequest on the given accounts.
func readRequest(push links.PushRequest, users ...string) links.ReadRequest {
	req := links.ReadRequest{GroupID: push.Group.ID, Prefix: "billing", Usernames: users}
	for _, l := range push.Links {
		req.Apps = append(req.Apps, l.App)
	}
	return req
}

// managed are the apps a push or removal of the catalogue takes away, and
// billing_old, a custom link the tests say was removed: the extra links
// that count as drift (links.Drift).
var managed = append(links.RemoveAll("billing", nil).Apps, "billing_old")

// creds returns the credentials pushRequest pushed to user.
func creds(push links.PushRequest, user string) links.AccountCreds {
	i := slices.IndexFunc(push.Accounts, func(a links.AccountCreds) bool { return a.Username == user })
	return push.Accounts[i]
}

func bothPanels() []links.Panel {
	return []links.Panel{whm.NewCPanel(whm.Options{AllowLoopback: true}), whm.NewWPSquared(whm.Options{AllowLoopback: true})}
}

func TestReadLinksAfterAPushReturnsWhatWasPushed(t *testing.T) {
	for _, p := range bothPanels() {
		t.Run(p.Module(), func(t *testing.T) {
			srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
			push := pushRequest("alice", "bob")
			// The upgrade link falls back to a page of each account's own.
			push.Links[0].URL, push.Links[0].SubURL = "https://bill.example/fallback?d=upgrade", true
			if _, err := p.PushLinks(ctxT(t), srv.Conn(), push); err != nil {
				t.Fatal(err)
			}
			srv.ResetStats()
			got, err := p.ReadLinks(ctxT(t), srv.Conn(), readRequest(push, "alice", "bob"))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].Username != "alice" || got[1].Username != "bob" {
				t.Fatalf("ReadLinks = %+v", got)
			}
			for _, a := range got {
				var want []links.FoundLink
				for _, l := range wantLinks(push, a.Username) {
					spec := push.Links[slices.IndexFunc(push.Links, func(s links.LinkSpec) bool { return s.App == l.App })]
					want = append(want, links.FoundLink{App: l.App, Read: true, Label: l.Label, Order: l.Order, GroupID: l.GroupID,
						Implements: l.Implements, URL: spec.FallbackURL(creds(push, a.Username)),
						AutologinTokenURL: l.AutologinTokenURL, SubscriberUniqueID: l.SubscriberUniqueID})
				}
				if a.Err != nil || !a.HasGroup || !reflect.DeepEqual(a.Links, want) {
					t.Errorf("%s: %+v\nwant links %+v", a.Username, a, want)
				}
				if d := links.Drift(push.Group, push.Links, managed, creds(push, a.Username), a); d != nil {
					t.Errorf("%s: drift %q right after a push", a.Username, d)
				}
			}
			if st := srv.Stats(); st.Requests != 1 || st.Calls["batch"] != 1 || st.Calls["list_integration_links"] != 2 ||
				st.Calls["list_integration_groups"] != 2 || st.Calls["get_integration_link_user_config"] != 6 {
				t.Errorf("stats = %+v, want one batch of 10 calls", st)
			}
		})
	}
}

func TestReadLinksShowsDrift(t *testing.T) {
	for _, p := range bothPanels() {
		t.Run(p.Module(), func(t *testing.T) {
			srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
			push := pushRequest("alice", "bob")
			if _, err := p.PushLinks(ctxT(t), srv.Conn(), push); err != nil {
				t.Fatal(err)
			}
			// Someone works in alice's panel; bob's stays as pushed.
			must(t, srv.RemoveLink("alice", "billing_upgrade"))
			must(t, srv.EditLink("alice", "billing_open_ticket", func(l *whmsim.Link) { l.Label, l.Order = "Tickets", 2 }))
			must(t, srv.RemoveGroup("alice", "billing"))
			c := p.(interface{ Client() *whm.Client }).Client()
			for _, app := range []string{"billing_old", "billing_by_hand", "othervendor_chat"} {
				must(t, c.CreateIntegrationLink(ctxT(t), srv.Conn(), "alice", whm.IntegrationLink{
					App: app, Label: "Old", GroupID: "billing", SubscriberUniqueID: "x", Token: "TOKEN-old-0123456789", URL: "https://bill.example/"}))
			}
			got, err := p.ReadLinks(ctxT(t), srv.Conn(), readRequest(push, "alice", "bob"))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				"group billing missing",
				"link billing_upgrade missing",
				`label of billing_open_ticket is "Tickets", want "Open Ticket"`,
				"order of billing_open_ticket is 2, want 4",
				"extra link billing_old",
			}
			if d := links.Drift(push.Group, push.Links, managed, creds(push, "alice"), got[0]); !reflect.DeepEqual(d, want) {
				t.Errorf("alice's drift =\n%q\nwant\n%q", d, want)
			}
			if d := links.Drift(push.Group, push.Links, managed, creds(push, "bob"), got[1]); d != nil {
				t.Errorf("bob's drift = %q", d)
			}
			// With nothing wanted, what is left of ours is drift, bob's
			// removed links are not.
			if _, err := p.RemoveLinks(ctxT(t), srv.Conn(), links.RemoveRequest{GroupID: "billing", Apps: readRequest(push).Apps, Usernames: []string{"bob"}}); err != nil {
				t.Fatal(err)
			}
			got, err = p.ReadLinks(ctxT(t), srv.Conn(), readRequest(push, "alice", "bob"))
			if err != nil {
				t.Fatal(err)
			}
			want = []string{"extra link billing_invoice_history", "extra link billing_old", "extra link billing_open_ticket"}
			if d := links.Drift(push.Group, nil, managed, creds(push, "alice"), got[0]); !reflect.DeepEqual(d, want) {
				t.Errorf("alice's drift with nothing wanted =\n%q\nwant\n%q", d, want)
			}
			if d := links.Drift(push.Group, nil, managed, creds(push, "bob"), got[1]); d != nil || got[1].Err != nil {
				t.Errorf("bob's drift with nothing wanted = %q (links %+v)", d, got[1].Links)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Accounts the caller may not read fail one by one; the others are read.
func TestReadLinksReportsAccountErrors(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	p := whm.NewCPanel(whm.Options{AllowLoopback: true})
	push := pushRequest("carol")
	if _, err := p.PushLinks(ctxT(t), srv.Conn(), push); err != nil {
		t.Fatal(err)
	}
	reseller := srv.Conn()
	reseller.Username, reseller.APIToken = "res1", "RESELLERTOKEN-9x8y7z"
	got, err := p.ReadLinks(ctxT(t), reseller, readRequest(push, "alice", "carol", "ghost"))
	if err != nil {
		t.Fatal(err)
	}
	wantReason := []string{"You do not have access to an account named “alice”.", "", "You do not have a user named “ghost”."}
	for i, a := range got {
		var pe *whm.PanelError
		switch {
		case wantReason[i] == "" && (a.Err != nil || len(a.Links) != 3 || !a.HasGroup):
			t.Errorf("%s: %+v", a.Username, a)
		case wantReason[i] != "" && (!errors.As(a.Err, &pe) || pe.Reason != wantReason[i]):
			t.Errorf("%s: err = %v, want %q", a.Username, a.Err, wantReason[i])
		}
	}
}

func TestReadLinksGarbageIsAWholeFailure(t *testing.T) {
	// A batch answer whose list_integration_links data is not a list.
	badList := `{"metadata":{"command":"batch","result":1,"reason":"OK","version":1},"data":{"result":[` +
		`{"metadata":{"command":"list_integration_links","result":1,"reason":"OK","version":1},"data":{"links":"nope"}},` +
		`{"metadata":{"command":"list_integration_groups","result":1,"reason":"OK","version":1},"data":{"links":[]}}]}}`
	tests := []struct {
		name, body string
		kind       whm.ErrorKind
		function   string
	}{
		{"an HTML page", "<html><body>Login</body></html>", whm.KindNotJSON, whm.FnBatch},
		{"too many results", `{"metadata":{"result":1},"data":{"result":[{},{},{}]}}`, whm.KindMalformed, whm.FnBatch},
		{"a list of the wrong shape", badList, whm.KindMalformed, whm.FnListIntegrationLinks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: whmsim.Faults{CannedBody: tt.body}})
			got, err := whm.NewCPanel(whm.Options{AllowLoopback: true}).ReadLinks(ctxT(t), srv.Conn(), links.ReadRequest{GroupID: "billing", Prefix: "billing", Usernames: []string{"alice"}})
			var te *whm.TransportError
			if got != nil || !errors.As(err, &te) || te.Kind != tt.kind || te.Function != tt.function || !strings.Contains(err.Error(), "panel-7") {
				t.Errorf("ReadLinks = %+v, %#v; want a %s error of %s", got, err, tt.kind, tt.function)
			}
		})
	}
}

func TestUpdateLinkTokens(t *testing.T) {
	for _, p := range bothPanels() {
		t.Run(p.Module(), func(t *testing.T) {
			srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
			push := pushRequest("alice", "bob")
			if _, err := p.PushLinks(ctxT(t), srv.Conn(), push); err != nil {
				t.Fatal(err)
			}
			must(t, srv.RemoveLink("bob", "billing_open_ticket"))
			srv.ResetStats()
			apps := readRequest(push).Apps
			req := links.TokenRequest{Apps: apps, Accounts: []links.AccountToken{
				{Username: "alice", Token: "NEWTOKEN-alice-0123456789"},
				{Username: "bob", Token: "NEWTOKEN-bob-0123456789"},
				{Username: "ghost", Token: "NEWTOKEN-ghost-0123456789"},
			}}
			res, err := p.UpdateLinkTokens(ctxT(t), srv.Conn(), req)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 3 || res[0].Username != "alice" || res[0].Err != nil {
				t.Fatalf("results = %+v", res)
			}
			for _, app := range apps {
				if !srv.TokenMatches("alice", app, "NEWTOKEN-alice-0123456789") {
					t.Errorf("alice %s: token not rotated", app)
				}
			}
			// bob lacks a link: told apart, so that the caller pushes bob in
			// full; his other links did get the new token.
			var me *whm.MissingLinksError
			if !errors.Is(res[1].Err, links.ErrLinkMissing) || !errors.As(res[1].Err, &me) ||
				!reflect.DeepEqual(me.Apps, []string{"billing_open_ticket"}) || links.IsTemporary(res[1].Err) {
				t.Errorf("bob: err = %v, want the missing link billing_open_ticket", res[1].Err)
			}
			for _, app := range []string{"billing_upgrade", "billing_invoice_history"} {
				if !srv.TokenMatches("bob", app, "NEWTOKEN-bob-0123456789") {
					t.Errorf("bob %s: token not rotated", app)
				}
			}
			// An unknown account is an account error, not a missing link.
			var pe *whm.PanelError
			if !errors.As(res[2].Err, &pe) || errors.Is(res[2].Err, links.ErrLinkMissing) || pe.Reason != "You do not have a user named “ghost”." {
				t.Errorf("ghost: err = %v", res[2].Err)
			}
			for _, r := range res {
				if r.Err != nil && strings.Contains(r.Err.Error(), "NEWTOKEN") {
					t.Errorf("a token leaks: %v", r.Err)
				}
			}
			if st := srv.Stats(); st.Requests != 1 || st.Calls["update_integration_link_token"] != 9 || st.Calls["list_integration_links"] != 3 {
				t.Errorf("stats = %+v, want one batch of 12 calls", st)
			}
		})
	}
}

// A reseller's token rotates its own accounts and is refused the others.
func TestUpdateLinkTokensWithAResellerToken(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	p := whm.NewCPanel(whm.Options{AllowLoopback: true})
	push := pushRequest("alice", "carol")
	if _, err := p.PushLinks(ctxT(t), srv.Conn(), push); err != nil {
		t.Fatal(err)
	}
	reseller := srv.Conn()
	reseller.Username, reseller.APIToken = "res1", "RESELLERTOKEN-9x8y7z"
	res, err := p.UpdateLinkTokens(ctxT(t), reseller, links.TokenRequest{Apps: readRequest(push).Apps, Accounts: []links.AccountToken{
		{Username: "alice", Token: "NEWTOKEN-alice-0123456789"}, {Username: "carol", Token: "NEWTOKEN-carol-0123456789"}}})
	if err != nil {
		t.Fatal(err)
	}
	var pe *whm.PanelError
	if !errors.As(res[0].Err, &pe) || pe.Reason != "You do not have access to an account named “alice”." || res[1].Err != nil {
		t.Errorf("results = %+v", res)
	}
	if !srv.TokenMatches("alice", "billing_upgrade", "TOKEN-alice-0123456789") || !srv.TokenMatches("carol", "billing_upgrade", "NEWTOKEN-carol-0123456789") {
		t.Error("the tokens are not as expected")
	}
}

// A panel that echoes the new token in its refusal: the message shows it
// redacted.
func TestUpdateLinkTokensScrubsTheToken(t *testing.T) {
	const token = "NEWTOKEN-alice-0123456789"
	body := `{"metadata":{"command":"batch","result":0,"reason":"failed","version":1},"data":{"result":[` +
		`{"metadata":{"command":"list_integration_links","result":1,"reason":"OK","version":1},"data":{"links":[{"app":"billing_upgrade"}]}},` +
		`{"metadata":{"command":"update_integration_link_token","result":0,"version":1,"reason":"API failure: (XID abc) The token “` + token + `” is not valid."}}]}}`
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: whmsim.Faults{CannedBody: body}})
	res, err := whm.NewCPanel(whm.Options{AllowLoopback: true}).UpdateLinkTokens(ctxT(t), srv.Conn(), links.TokenRequest{
		Apps: []string{"billing_upgrade"}, Accounts: []links.AccountToken{{Username: "alice", Token: token}}})
	if err != nil || len(res) != 1 || res[0].Err == nil {
		t.Fatalf("UpdateLinkTokens = %+v, %v", res, err)
	}
	if msg := res[0].Err.Error(); strings.Contains(msg, token) || !strings.Contains(msg, "[REDACTED]") || errors.Is(res[0].Err, links.ErrLinkMissing) {
		t.Errorf("err = %q, want the token redacted and no missing link", msg)
	}
}

func TestReadAndRotateWithNoAccountsSendNothing(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	p := whm.NewCPanel(whm.Options{AllowLoopback: true})
	r, err := p.ReadLinks(ctxT(t), srv.Conn(), links.ReadRequest{GroupID: "billing", Prefix: "billing", Apps: []string{"billing_a"}})
	if err != nil || len(r) != 0 {
		t.Errorf("ReadLinks = %+v, %v", r, err)
	}
	u, err := p.UpdateLinkTokens(ctxT(t), srv.Conn(), links.TokenRequest{Apps: []string{"billing_a"}})
	if err != nil || len(u) != 0 || srv.Stats().Requests != 0 {
		t.Errorf("UpdateLinkTokens = %+v, %v; requests %d", u, err, srv.Stats().Requests)
	}
}
