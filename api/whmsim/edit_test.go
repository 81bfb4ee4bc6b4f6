package whmsim_test

import (
	"testing"

	"github.com/applinks/applinks/api/whmsim"
)

// wireCreate creates alice's link app in group billing through the API.
func wireCreate(t *testing.T, srv *whmsim.Server, app string) {
	t.Helper()
	if status, got := wireCall(t, srv, wireAuth, "/json-api/create_integration_link?api.version=1",
		"user=alice&app="+app+"&label=L&order=2&group_id=billing&subscriber_unique_id=sub-1&token=t0k3n&url=https%3A%2F%2Fbill.example%2F"); status != 200 {
		t.Fatalf("create: %d %s", status, got)
	}
	if status, got := wireCall(t, srv, wireAuth, "/json-api/create_integration_group?api.version=1",
		"user=alice&group_id=billing&label=Billing&order=1"); status != 200 {
		t.Fatalf("create group: %d %s", status, got)
	}
}

// The config and the token of an absent link are refused with an API
// failure naming the account and the link, as cPanel does.
func TestWireAbsentLinkIsAnAPIFailure(t *testing.T) {
	srv := wireServer(t, "")
	_, got := wireCall(t, srv, wireAuth, "/json-api/update_integration_link_token?api.version=1",
		"user=alice&app=billing_gone&token=n3w-s3cr3t")
	sameJSON(t, got, `{"metadata":{"command":"update_integration_link_token","result":0,"version":1,
		"reason":"API failure: (XID x) The user “alice” has no integration link named “billing_gone”."}}`)
	_, got = wireCall(t, srv, wireAuth, "/json-api/get_integration_link_user_config?api.version=1",
		"user=alice&app=billing_gone")
	sameJSON(t, got, `{"metadata":{"command":"get_integration_link_user_config","result":0,"version":1,
		"reason":"API failure: (XID x) The user “alice” has no integration link named “billing_gone”."}}`)
}

func TestEditingHelpersChangeWhatTheAPIAnswers(t *testing.T) {
	srv := wireServer(t, "")
	wireCreate(t, srv, "billing_a")
	wireCreate(t, srv, "billing_b")

	if err := srv.EditLink("alice", "billing_a", func(l *whmsim.Link) { l.Label, l.Order, l.App = "Relabelled", 7, "renamed" }); err != nil {
		t.Fatal(err)
	}
	_, got := wireCall(t, srv, wireAuth, "/json-api/get_integration_link_user_config?api.version=1", "user=alice&app=billing_a")
	sameJSON(t, got, `{"metadata":{"command":"get_integration_link_user_config","reason":"OK","result":1,"version":1},
		"data":{"userconfig":{"app":"billing_a","label":"Relabelled","order":"7","group_id":"billing","implements":"",
		"subscriber_unique_id":"sub-1","autologin_token_url":"","url":"https://bill.example/","hide":"0"}}}`)
	if !srv.TokenMatches("alice", "billing_a", "t0k3n") {
		t.Error("EditLink changed the token")
	}

	if err := srv.RemoveLink("alice", "billing_b"); err != nil {
		t.Fatal(err)
	}
	if err := srv.RemoveGroup("alice", "billing"); err != nil {
		t.Fatal(err)
	}
	_, got = wireCall(t, srv, wireAuth, "/json-api/list_integration_links?api.version=1", "user=alice")
	sameJSON(t, got, `{"metadata":{"command":"list_integration_links","reason":"OK","result":1,"version":1},
		"data":{"links":[{"app":"billing_a"}]}}`)
	_, got = wireCall(t, srv, wireAuth, "/json-api/list_integration_groups?api.version=1", "user=alice")
	sameJSON(t, got, `{"metadata":{"command":"list_integration_groups","reason":"OK","result":1,"version":1},
		"data":{"links":[]}}`)

	for name, err := range map[string]error{
		"absent link":       srv.RemoveLink("alice", "billing_b"),
		"absent group":      srv.RemoveGroup("alice", "billing"),
		"edit absent link":  srv.EditLink("alice", "billing_b", func(*whmsim.Link) {}),
		"unknown account":   srv.RemoveLink("ghost", "billing_a"),
		"unknown account 2": srv.RemoveGroup("ghost", "billing"),
		"unknown account 3": srv.EditLink("ghost", "billing_a", func(*whmsim.Link) {}),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if got := srv.Links("alice"); len(got) != 1 || got[0].Label != "Relabelled" {
		t.Errorf("links = %+v", got)
	}
}

// LinkToken tells the token a link holds, and follows
// update_integration_link_token.
func TestLinkTokenFollowsTheTokenUpdate(t *testing.T) {
	srv := wireServer(t, "")
	if _, ok := srv.LinkToken("alice", "billing_a"); ok {
		t.Fatal("LinkToken found a link that does not exist")
	}
	wireCreate(t, srv, "billing_a")
	if tok, ok := srv.LinkToken("alice", "billing_a"); !ok || tok != "t0k3n" {
		t.Fatalf("LinkToken = %q, %v; want t0k3n", tok, ok)
	}
	if status, got := wireCall(t, srv, wireAuth, "/json-api/update_integration_link_token?api.version=1",
		"user=alice&app=billing_a&token=n3w-s3cr3t"); status != 200 {
		t.Fatalf("update token: %d %s", status, got)
	}
	if tok, _ := srv.LinkToken("alice", "billing_a"); tok != "n3w-s3cr3t" {
		t.Fatalf("LinkToken after the update = %q, want n3w-s3cr3t", tok)
	}
}
