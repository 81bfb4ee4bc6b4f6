package whm_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

func TestCheckSupport(t *testing.T) {
	tests := []struct {
		name    string
		panel   links.Panel
		version string
		profile string
		want    links.Support
	}{
		{"a current cPanel server is supported", whm.NewCPanel(whm.Options{AllowLoopback: true}), "", "",
			links.Support{Supported: true, Version: "11.120.0.16", Profile: "STANDARD"}},
		{"an old cPanel server is not", whm.NewCPanel(whm.Options{AllowLoopback: true}), whmsim.OldVersion, "",
			links.Support{Reason: whm.ReasonCPanelTooOld, Version: "11.50.0.1"}},
		{"a WP Squared server under cPanel is refused", whm.NewCPanel(whm.Options{AllowLoopback: true}), "", "WP2",
			links.Support{Reason: whm.ReasonIsWPSquared, Version: "11.136.1.7", Profile: "WP2"}},
		{"a WP Squared server under WP Squared is supported", whm.NewWPSquared(whm.Options{AllowLoopback: true}), "", "WP2",
			links.Support{Supported: true, Version: "11.136.1.7", Profile: "WP2"}},
		{"a cPanel server under WP Squared is refused", whm.NewWPSquared(whm.Options{AllowLoopback: true}), "", "",
			links.Support{Reason: fmt.Sprintf(whm.ReasonNotWPSquared, "STANDARD"), Version: "11.120.0.16", Profile: "STANDARD"}},
		{"an old server under WP Squared is refused for its profile", whm.NewWPSquared(whm.Options{AllowLoopback: true}), whmsim.OldVersion, "",
			links.Support{Reason: whm.ReasonNoProfile, Version: "11.50.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Version: tt.version, Profile: tt.profile, Faults: whmsim.Faults{Latency: 20 * time.Millisecond}})
			got, err := tt.panel.CheckSupport(ctxT(t), srv.Conn())
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("CheckSupport = %+v\nwant %+v", got, tt.want)
			}
			if st := srv.Stats(); st.Requests != 1 || st.Calls["batch"] != 1 {
				t.Errorf("%d requests (%d batches), want one batch", st.Requests, st.Calls["batch"])
			}
		})
	}
}

func TestCheckSupportFailsWhenTheServerCannotBeReached(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: whmsim.Faults{HTTP500Rate: 1}})
	_, err := whm.NewCPanel(whm.Options{AllowLoopback: true}).CheckSupport(ctxT(t), srv.Conn())
	if !links.IsTemporary(err) {
		t.Errorf("err = %v, want a temporary error", err)
	}
}

func TestModules(t *testing.T) {
	if m := whm.NewCPanel(whm.Options{AllowLoopback: true}).Module(); m != links.ModuleCPanel {
		t.Errorf("CPanel.Module = %q", m)
	}
	if m := whm.NewWPSquared(whm.Options{AllowLoopback: true}).Module(); m != links.ModuleWPSquared {
		t.Errorf("WPSquared.Module = %q", m)
	}
}

// pushRequest is a push of three links to the given accounts, removing one.
func pushRequest(users ...string) links.PushRequest {
	req := links.PushRequest{
		Group: links.GroupSpec{ID: "billing", Label: "Billing & Support", Order: 1},
		Links: []links.LinkSpec{
			{App: "billing_upgrade", Label: "Upgrade/Downgrade", Order: 1, Implements: "upgrade",
				AutologinTokenURL: "https://bill.example/sso/cpanel/token?destination=upgrade", URL: "https://bill.example/portal/login?next=upgrade"},
			{App: "billing_open_ticket", Label: "Open Ticket", Order: 4,
				AutologinTokenURL: "https://bill.example/sso/cpanel/token?destination=open_ticket", URL: "https://bill.example/portal/login?next=open_ticket",
				Base64PNG: tinyPNG},
			{App: "billing_invoice_history", Label: "View Invoice History", Order: 14, Implements: "billing",
				AutologinTokenURL: "https://bill.example/sso/cpanel/token?destination=invoice_history", URL: "https://bill.example/portal/login?next=invoice_history"},
		},
		Remove: []string{"billing_downloads"},
	}
	for _, u := range users {
		req.Accounts = append(req.Accounts, links.AccountCreds{Username: u, SubscriberUniqueID: "sub-" + u, Token: "TOKEN-" + u + "-0123456789"})
	}
	return req
}

// wantLinks is what the simulator must hold for an account after pushRequest.
func wantLinks(req links.PushRequest, user string) []whmsim.Link {
	var out []whmsim.Link
	for _, l := range req.Links {
		out = append(out, whmsim.Link{
			App: l.App, Label: l.Label, Order: l.Order, GroupID: req.Group.ID, Implements: l.Implements,
			SubscriberUniqueID: "sub-" + user, AutologinTokenURL: l.AutologinTokenURL, URL: l.URL, Base64PNGImage: l.Base64PNG,
		})
	}
	// Snapshots are sorted by app.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].App < out[j-1].App; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func assertPushed(t *testing.T, srv *whmsim.Server, req links.PushRequest, user string) {
	t.Helper()
	if got, want := srv.Links(user), wantLinks(req, user); !reflect.DeepEqual(got, want) {
		t.Errorf("%s links =\n%+v\nwant\n%+v", user, got, want)
	}
	if got, want := srv.Groups(user), []whmsim.Group{{ID: req.Group.ID, Label: req.Group.Label, Order: req.Group.Order}}; !reflect.DeepEqual(got, want) {
		t.Errorf("%s groups = %+v, want %+v", user, got, want)
	}
	for _, l := range req.Links {
		if !srv.TokenMatches(user, l.App, "TOKEN-"+user+"-0123456789") {
			t.Errorf("%s %s: wrong token stored", user, l.App)
		}
	}
}

func TestPushLinksInOneBatch(t *testing.T) {
	for _, p := range []links.Panel{whm.NewCPanel(whm.Options{AllowLoopback: true}), whm.NewWPSquared(whm.Options{AllowLoopback: true})} {
		t.Run(p.Module(), func(t *testing.T) {
			srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
			req := pushRequest("alice", "bob")
			res, err := p.PushLinks(ctxT(t), srv.Conn(), req)
			if err != nil {
				t.Fatal(err)
			}
			if want := []links.AccountResult{{Username: "alice"}, {Username: "bob"}}; !reflect.DeepEqual(res, want) {
				t.Errorf("results = %+v", res)
			}
			assertPushed(t, srv, req, "alice")
			assertPushed(t, srv, req, "bob")
			st := srv.Stats()
			if st.Requests != 1 || st.Calls["batch"] != 1 || st.Calls["create_integration_link"] != 6 ||
				st.Calls["create_integration_group"] != 2 || st.Calls["remove_integration_link"] != 2 {
				t.Errorf("stats = %+v, want one batch of 10 calls", st)
			}
		})
	}
}

func TestPushLinksReplacesAndRemoves(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	p := whm.NewCPanel(whm.Options{AllowLoopback: true})
	first := pushRequest("alice")
	if _, err := p.PushLinks(ctxT(t), srv.Conn(), first); err != nil {
		t.Fatal(err)
	}
	second := pushRequest("alice")
	second.Group.Label = "Billing"
	second.Links[0].Label = "Change Plan"
	second.Links[0].Order = 9
	second.Remove = []string{second.Links[1].App}
	second.Links = []links.LinkSpec{second.Links[0], second.Links[2]}
	res, err := p.PushLinks(ctxT(t), srv.Conn(), second)
	if err != nil || res[0].Err != nil {
		t.Fatalf("second push: %+v, %v", res, err)
	}
	assertPushed(t, srv, second, "alice")
}

func TestPushLinksReportsRefusedAccounts(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: whmsim.Faults{RefuseAccounts: []string{"bob"}}})
	req := pushRequest("alice", "bob", "ghost")
	res, err := whm.NewCPanel(whm.Options{AllowLoopback: true}).PushLinks(ctxT(t), srv.Conn(), req)
	if err != nil {
		t.Fatal(err)
	}
	wantReason := []string{"", "You do not have access to an account named “bob”.", "You do not have a user named “ghost”."}
	for i, r := range res {
		if r.Username != req.Accounts[i].Username {
			t.Errorf("result %d is for %s", i, r.Username)
		}
		var pe *whm.PanelError
		switch {
		case wantReason[i] == "" && r.Err != nil:
			t.Errorf("%s: unexpected %v", r.Username, r.Err)
		case wantReason[i] != "" && (!errors.As(r.Err, &pe) || pe.Reason != wantReason[i] || pe.Function != whm.FnCreateIntegrationGroup):
			t.Errorf("%s: err = %#v, want the first failed command's reason %q", r.Username, r.Err, wantReason[i])
		}
		if r.Err != nil && strings.Contains(r.Err.Error(), "TOKEN-") {
			t.Errorf("a link token leaks: %v", r.Err)
		}
	}
	// Only "no such user" says the account has nothing (a removal is done).
	if !errors.Is(res[2].Err, links.ErrNoAccount) || errors.Is(res[1].Err, links.ErrNoAccount) {
		t.Errorf("ErrNoAccount: ghost %v, bob %v; want ghost only", res[2].Err, res[1].Err)
	}
	assertPushed(t, srv, req, "alice")
	if len(srv.Links("bob")) != 0 {
		t.Errorf("bob got links: %+v", srv.Links("bob"))
	}
}

func TestPushLinksWholeFailureIsAnError(t *testing.T) {
	tests := []struct {
		name      string
		faults    whmsim.Faults
		temporary bool
	}{
		{"a refusing server", whmsim.Faults{Refuse: true}, true},
		{"an HTML page", whmsim.Faults{HTMLRate: 1}, true},
		{"permission denied", whmsim.Faults{CannedBody: `{"statusmsg":"Permission Denied","status":0}`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: tt.faults})
			req := pushRequest("alice")
			res, err := whm.NewCPanel(whm.Options{AllowLoopback: true}).PushLinks(ctxT(t), srv.Conn(), req)
			if err == nil || res != nil {
				t.Fatalf("PushLinks = %+v, %v; want a whole failure", res, err)
			}
			if links.IsTemporary(err) != tt.temporary {
				t.Errorf("IsTemporary = %v, want %v", links.IsTemporary(err), tt.temporary)
			}
		})
	}
}

func TestPushLinksSurvivesPanelErrors(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7", Faults: whmsim.Faults{ErrorRate: 1}})
	res, err := whm.NewCPanel(whm.Options{AllowLoopback: true}).PushLinks(ctxT(t), srv.Conn(), pushRequest("alice", "bob"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		var pe *whm.PanelError
		if !errors.As(r.Err, &pe) || links.IsTemporary(r.Err) {
			t.Errorf("%s: err = %v, want a PanelError", r.Username, r.Err)
		}
	}
}

func TestRemoveLinks(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	p := whm.NewCPanel(whm.Options{AllowLoopback: true})
	push := pushRequest("alice", "bob")
	if _, err := p.PushLinks(ctxT(t), srv.Conn(), push); err != nil {
		t.Fatal(err)
	}
	req := links.RemoveRequest{GroupID: "billing", Usernames: []string{"alice", "bob", "ghost"}}
	for _, l := range push.Links {
		req.Apps = append(req.Apps, l.App)
	}
	req.Apps = append(req.Apps, "billing_never_pushed")
	res, err := p.RemoveLinks(ctxT(t), srv.Conn(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[1].Err != nil || res[2].Err == nil {
		t.Errorf("results = %+v", res)
	}
	for _, u := range []string{"alice", "bob"} {
		if len(srv.Links(u)) != 0 || len(srv.Groups(u)) != 0 {
			t.Errorf("%s still has links %+v groups %+v", u, srv.Links(u), srv.Groups(u))
		}
	}
}

func TestCreateSessionAndListAccounts(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	p := whm.NewCPanel(whm.Options{AllowLoopback: true})
	u, err := p.CreateSession(ctxT(t), srv.Conn(), "alice")
	if err != nil || !strings.HasPrefix(u, srv.URL()+"/cpsess") {
		t.Errorf("CreateSession = %q, %v", u, err)
	}
	if _, err := p.CreateSession(ctxT(t), srv.Conn(), "ghost"); err == nil {
		t.Error("CreateSession for an unknown user succeeded")
	}
	accts, err := p.ListAccounts(ctxT(t), srv.Conn())
	if err != nil {
		t.Fatal(err)
	}
	want := []links.PanelAccount{
		{Username: "alice", Domain: "alice.example", Email: "a@alice.example"},
		{Username: "bob", Domain: "bob.example", Email: "b@bob.example", Suspended: true},
		{Username: "carol", Domain: "carol.example", Email: "c@carol.example"},
	}
	if !reflect.DeepEqual(accts, want) {
		t.Errorf("ListAccounts = %+v", accts)
	}
	reseller := srv.Conn()
	reseller.Username, reseller.APIToken = "res1", "RESELLERTOKEN-9x8y7z"
	accts, err = p.ListAccounts(ctxT(t), reseller)
	if err != nil || len(accts) != 1 || accts[0].Username != "carol" {
		t.Errorf("reseller ListAccounts = %+v, %v", accts, err)
	}
}

func TestPushWithNoAccountsSendsNothing(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	res, err := whm.NewCPanel(whm.Options{AllowLoopback: true}).PushLinks(ctxT(t), srv.Conn(), pushRequest())
	if err != nil || len(res) != 0 || srv.Stats().Requests != 0 {
		t.Errorf("PushLinks = %+v, %v; requests %d", res, err, srv.Stats().Requests)
	}
}

func TestOnePanelServesManyServersConcurrently(t *testing.T) {
	p := whm.NewCPanel(whm.Options{AllowLoopback: true})
	var servers []*whmsim.Server
	for i := range 3 {
		servers = append(servers, startServer(t, whmsim.ServerConfig{Name: fmt.Sprintf("panel-%d", i)}))
	}
	errs := make(chan error, 30)
	for i := range 30 {
		go func() {
			srv := servers[i%len(servers)]
			conn := srv.Conn()
			conn.ID = int64(i%len(servers) + 1)
			res, err := p.PushLinks(ctxT(t), conn, pushRequest("alice", "bob"))
			if err == nil {
				err = errors.Join(res[0].Err, res[1].Err)
			}
			errs <- err
		}()
	}
	for range 30 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	for _, srv := range servers {
		assertPushed(t, srv, pushRequest("alice", "bob"), "alice")
		if st := srv.Stats(); st.Requests != 10 || st.MaxInFlight < 1 {
			t.Errorf("%s stats = %+v", srv.Name(), st)
		}
	}
}

// The links of links.PushPlan fall back to the fallback page of their
// destination for each account's own subscriber id, whatever its bytes.
func TestPushLinksGivesEachAccountItsFallbackPage(t *testing.T) {
	srv := startServer(t, whmsim.ServerConfig{Name: "panel-7"})
	req := pushRequest("alice", "bob")
	req.Accounts[1].SubscriberUniqueID = "sub b&c=d/ü%+"
	plan := links.PushPlan(links.ApplyLinkSettings(nil), "https://bill.example", "billing", "Billing & Support")
	req.Links, req.Remove = plan.Links, nil
	if _, err := whm.NewCPanel(whm.Options{AllowLoopback: true}).PushLinks(ctxT(t), srv.Conn(), req); err != nil {
		t.Fatal(err)
	}
	for _, acct := range req.Accounts {
		got := srv.Links(acct.Username)
		if len(got) != len(links.Catalogue) {
			t.Fatalf("%s has %d links, want %d", acct.Username, len(got), len(links.Catalogue))
		}
		for _, l := range got {
			key := strings.TrimPrefix(l.App, "billing_")
			if u := links.FallbackPageURL("https://bill.example", key, acct.SubscriberUniqueID); l.URL != u {
				t.Errorf("%s: %s url %q, want %q", acct.Username, l.App, l.URL, u)
			}
		}
	}
	if u := srv.Links("alice")[0].URL; !strings.HasSuffix(u, "&sub=sub-alice") {
		t.Errorf("alice's url %q does not name her subscriber id", u)
	}
}
