package whmsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/whmsim"
)

// The wire tests prove the simulator against requests and answers written
// by hand from WHM-PROTOCOL.md: literal form bodies (including a literal
// double-encoded batch) and literal expected JSON. None of it comes from our
// client.

const (
	wireToken    = "WIRETOKEN0123456789ABCDEF"
	wireAuth     = "whm root:" + wireToken
	resellerAuth = "WHM res1:RESELLERTOKEN42"
	// A 1x1 PNG.
	tinyPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

var xidRE = regexp.MustCompile(`\(XID [a-z0-9]+\)`)

// wireServer starts one server with two accounts, alice (root's) and carol
// (reseller res1's).
func wireServer(t *testing.T, version string) *whmsim.Server {
	t.Helper()
	sim := whmsim.New(nil)
	t.Cleanup(func() { _ = sim.Close() })
	srv, err := sim.Start(whmsim.ServerConfig{
		Name: "wire", Token: wireToken, Version: version,
		Accounts: []whmsim.Account{
			{User: "alice", Domain: "alice.example", Email: "alice@alice.example"},
			{User: "carol", Domain: "carol.example", Email: "carol@carol.example", Owner: "res1", Suspended: true},
		},
		Resellers: map[string]string{"res1": "RESELLERTOKEN42"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// wireCall sends one literal request and returns the status and the body.
func wireCall(t *testing.T, srv *whmsim.Server, auth, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// sameJSON compares two JSON texts as values, XIDs normalised to (XID x).
func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(xidRE.ReplaceAllString(got, "(XID x)")), &g); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("expected JSON is broken: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("answer differs\n got: %s\nwant: %s", strings.TrimSpace(got), want)
	}
}

func TestWireAnswersMatchTheProtocol(t *testing.T) {
	tests := []struct {
		name       string
		setup      []string // literal bodies of calls made first, on /json-api/<path before '|'>
		auth       string
		path       string
		body       string
		wantStatus int
		want       string
	}{
		{
			name: "version answers data.version", auth: wireAuth,
			path: "/json-api/version?api.version=1", body: "",
			wantStatus: 200,
			want:       `{"metadata":{"command":"version","reason":"OK","result":1,"version":1},"data":{"version":"11.120.0.16"}}`,
		},
		{
			name: "the whm keyword is case-insensitive", auth: "WHM root:" + wireToken,
			path: "/json-api/version?api.version=1", body: "",
			wantStatus: 200,
			want:       `{"metadata":{"command":"version","reason":"OK","result":1,"version":1},"data":{"version":"11.120.0.16"}}`,
		},
		{
			name: "api.version may travel in the body", auth: wireAuth,
			path: "/json-api/version", body: "api.version=1",
			wantStatus: 200,
			want:       `{"metadata":{"command":"version","reason":"OK","result":1,"version":1},"data":{"version":"11.120.0.16"}}`,
		},
		{
			name: "without api.version the answer has the API 0 shape", auth: wireAuth,
			path: "/json-api/version", body: "",
			wantStatus: 200,
			want:       `{"version":"11.120.0.16"}`,
		},
		{
			name: "a wrong token is refused with HTTP 403", auth: "whm root:WRONG",
			path: "/json-api/version?api.version=1", body: "",
			wantStatus: 403,
			want:       `{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}`,
		},
		{
			name: "a missing Authorization header is refused with HTTP 403", auth: "",
			path: "/json-api/version?api.version=1", body: "",
			wantStatus: 403,
			want:       `{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}`,
		},
		{
			name: "an unknown function is refused without an XID", auth: wireAuth,
			path: "/json-api/foo?api.version=1", body: "",
			wantStatus: 200,
			want:       `{"metadata":{"command":"foo","reason":"Unknown app (“foo”) requested for this version (1) of the API.","result":0,"version":1}}`,
		},
		{
			name: "create_integration_link stores a link", auth: wireAuth,
			path: "/json-api/create_integration_link?api.version=1",
			body: "user=alice&app=billing_invoices&label=View+Invoices&order=3&group_id=billing&implements=billing" +
				"&subscriber_unique_id=sub-1&token=s3cr3t&autologin_token_url=https%3A%2F%2Fbill.example%2Fsso%2Fcpanel%2Ftoken%3Fdestination%3Dinvoices" +
				"&url=https%3A%2F%2Fbill.example%2Flogin&base64_png_image=" + strings.ReplaceAll(strings.ReplaceAll(tinyPNG, "+", "%2B"), "=", "%3D"),
			wantStatus: 200,
			want:       `{"metadata":{"command":"create_integration_link","reason":"OK","result":1,"version":1}}`,
		},
		{
			name: "an apostrophe in a label is refused", auth: wireAuth,
			path:       "/json-api/create_integration_link?api.version=1",
			body:       "user=alice&app=billing_x&label=Client%27s+Area&subscriber_unique_id=1&token=t0k3n&url=https%3A%2F%2Fbill.example%2F",
			wantStatus: 200,
			want:       `{"metadata":{"command":"create_integration_link","reason":"API failure: (XID x) The parameter “label” may not contain single-quote characters (apos()).","result":0,"version":1}}`,
		},
		{
			name: "a link without url and autologin_token_url is refused", auth: wireAuth,
			path:       "/json-api/create_integration_link?api.version=1",
			body:       "user=alice&app=billing_x&label=X&subscriber_unique_id=1&token=t0k3n",
			wantStatus: 200,
			want:       `{"metadata":{"command":"create_integration_link","reason":"API failure: (XID x) You must supply one of the following parameters: autologin_token_url, url","result":0,"version":1}}`,
		},
		{
			name: "a url that is not absolute http(s) is refused, after a good one was taken", auth: wireAuth,
			setup:      []string{"create_integration_link|user=alice&app=billing_x&label=X&subscriber_unique_id=1&token=t0k3n&url=https%3A%2F%2Fbill.example%2F"},
			path:       "/json-api/create_integration_link?api.version=1",
			body:       "user=alice&app=billing_y&label=Y&subscriber_unique_id=1&token=t0k3n&url=https%3A%2F%2Fbill.example%2F&autologin_token_url=ftp%3A%2F%2Fbill.example%2Fsso",
			wantStatus: 200,
			want:       `{"metadata":{"command":"create_integration_link","reason":"API failure: (XID x) The parameter “autologin_token_url” must be an absolute http or https URL.","result":0,"version":1}}`,
		},
		{
			name: "an unknown user is refused", auth: wireAuth,
			path:       "/json-api/create_integration_group?api.version=1",
			body:       "user=bob&group_id=billing&label=Billing&order=1",
			wantStatus: 200,
			want:       `{"metadata":{"command":"create_integration_group","reason":"API failure: (XID x) You do not have a user named “bob”.","result":0,"version":1}}`,
		},
		{
			name: "a reseller may not touch root's account", auth: resellerAuth,
			path: "/json-api/list_integration_links?api.version=1", body: "user=alice",
			wantStatus: 200,
			want:       `{"metadata":{"command":"list_integration_links","reason":"API failure: (XID x) You do not have access to an account named “alice”.","result":0,"version":1}}`,
		},
		{
			name: "a reseller lists only its own accounts", auth: resellerAuth,
			path: "/json-api/listaccts?api.version=1", body: "",
			wantStatus: 200,
			want: `{"metadata":{"command":"listaccts","reason":"OK","result":1,"version":1},"data":{"acct":[
				{"user":"carol","domain":"carol.example","email":"carol@carol.example","owner":"res1","suspended":1,
				 "plan":"default","ip":"127.0.0.1","partition":"home","theme":"jupiter"}]}}`,
		},
		{
			name: "list_integration_groups answers under links", auth: wireAuth,
			setup: []string{"create_integration_group|user=alice&group_id=billing&label=Billing+%26+Support&order=1"},
			path:  "/json-api/list_integration_groups?api.version=1", body: "user=alice",
			wantStatus: 200,
			want:       `{"metadata":{"command":"list_integration_groups","reason":"OK","result":1,"version":1},"data":{"links":[{"group":"billing"}]}}`,
		},
		{
			name: "get_integration_link_user_config never returns the token", auth: wireAuth,
			setup: []string{"create_integration_link|user=alice&app=billing_profile&label=Profile&order=7&group_id=billing&implements=" +
				"&subscriber_unique_id=sub-9&token=NEVERSHOWN&url=https%3A%2F%2Fbill.example%2Fprofile"},
			path: "/json-api/get_integration_link_user_config?api.version=1", body: "user=alice&app=billing_profile",
			wantStatus: 200,
			want: `{"metadata":{"command":"get_integration_link_user_config","reason":"OK","result":1,"version":1},"data":{"userconfig":{
				"app":"billing_profile","label":"Profile","order":"7","group_id":"billing","implements":"",
				"subscriber_unique_id":"sub-9","autologin_token_url":"","url":"https://bill.example/profile","hide":"0"}}}`,
		},
		{
			name: "remove_integration_link succeeds when the link is absent", auth: wireAuth,
			path: "/json-api/remove_integration_link?api.version=1", body: "user=alice&app=never_created",
			wantStatus: 200,
			want:       `{"metadata":{"command":"remove_integration_link","reason":"OK","result":1,"version":1}}`,
		},
		{
			name: "batch walks double-encoded commands and reports each", auth: wireAuth,
			path: "/json-api/batch?api.version=1",
			// Commands: version; create_integration_group for alice with
			// label "Billing & Support"; the same for the unknown bob.
			body: "api.version=1" +
				"&command=version%3Fapi.version%3D1" +
				"&command=create_integration_group%3Fapi.version%3D1%26user%3Dalice%26group_id%3Dbilling%26label%3DBilling%2B%2526%2BSupport%26order%3D1" +
				"&command=create_integration_group%3Fapi.version%3D1%26user%3Dbob%26group_id%3Dbilling%26label%3DBilling%26order%3D1",
			wantStatus: 200,
			want: `{"metadata":{"command":"batch","reason":"API failure: (XID x) You do not have a user named “bob”.","result":0,"version":1},
				"data":{"result":[
					{"metadata":{"command":"version","reason":"OK","result":1,"version":1},"data":{"version":"11.120.0.16"}},
					{"metadata":{"command":"create_integration_group","reason":"OK","result":1,"version":1}},
					{"metadata":{"command":"create_integration_group","reason":"API failure: (XID x) You do not have a user named “bob”.","result":0,"version":1}}
				]}}`,
		},
		{
			name: "batch with abort_on_error stops at the first failure", auth: wireAuth,
			path: "/json-api/batch?api.version=1",
			body: "api.version=1&abort_on_error=1" +
				"&command=remove_integration_link%3Fapi.version%3D1%26user%3Dbob%26app%3Dx" +
				"&command=version%3Fapi.version%3D1",
			wantStatus: 200,
			want: `{"metadata":{"command":"batch","reason":"API failure: (XID x) You do not have a user named “bob”.","result":0,"version":1},
				"data":{"result":[
					{"metadata":{"command":"remove_integration_link","reason":"API failure: (XID x) You do not have a user named “bob”.","result":0,"version":1}}
				]}}`,
		},
		{
			name: "an all-good batch says result 1", auth: wireAuth,
			path:       "/json-api/batch?api.version=1",
			body:       "api.version=1&command=version%3Fapi.version%3D1&command=list_integration_links%3Fapi.version%3D1%26user%3Dalice",
			wantStatus: 200,
			want: `{"metadata":{"command":"batch","reason":"OK","result":1,"version":1},
				"data":{"result":[
					{"metadata":{"command":"version","reason":"OK","result":1,"version":1},"data":{"version":"11.120.0.16"}},
					{"metadata":{"command":"list_integration_links","reason":"OK","result":1,"version":1},"data":{"links":[]}}
				]}}`,
		},
		{
			name: "a base64_png_image that is not a PNG is refused", auth: wireAuth,
			path:       "/json-api/create_integration_link?api.version=1",
			body:       "user=alice&app=billing_x&label=X&subscriber_unique_id=1&token=t0k3n&url=https%3A%2F%2Fbill.example%2F&base64_png_image=aGVsbG8%3D",
			wantStatus: 200,
			want:       `{"metadata":{"command":"create_integration_link","reason":"API failure: (XID x) The parameter “base64_png_image” is not a base64-encoded PNG image: it does not decode to a PNG image","result":0,"version":1}}`,
		},
		{
			name: "an app name starting with group_ is refused", auth: wireAuth,
			path:       "/json-api/create_integration_link?api.version=1",
			body:       "user=alice&app=group_x&label=X&subscriber_unique_id=1&token=t0k3n&url=https%3A%2F%2Fbill.example%2F",
			wantStatus: 200,
			want:       `{"metadata":{"command":"create_integration_link","reason":"API failure: (XID x) The parameter “app” (“group_x”) may contain only the characters a-z, 0-9, hyphen (-) and underscore (_), and may not begin with “group_”.","result":0,"version":1}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := wireServer(t, "")
			for _, s := range tt.setup {
				fn, body, _ := strings.Cut(s, "|")
				if status, got := wireCall(t, srv, wireAuth, "/json-api/"+fn+"?api.version=1", body); status != 200 || !strings.Contains(got, `"result":1`) {
					t.Fatalf("setup %s: %d %s", fn, status, got)
				}
			}
			status, got := wireCall(t, srv, tt.auth, tt.path, tt.body)
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d", status, tt.wantStatus)
			}
			sameJSON(t, got, tt.want)
		})
	}
}

func TestWireOldServerLacksIntegrationFunctions(t *testing.T) {
	srv := wireServer(t, whmsim.OldVersion)
	_, got := wireCall(t, srv, wireAuth, "/json-api/applist?api.version=1", "")
	sameJSON(t, got, `{"metadata":{"command":"applist","reason":"OK","result":1,"version":1},
		"data":{"app":["applist","batch","create_user_session","listaccts","version"]}}`)
	_, got = wireCall(t, srv, wireAuth, "/json-api/create_integration_link?api.version=1",
		"user=alice&app=x&label=X&subscriber_unique_id=1&token=t0k3n&url=https%3A%2F%2Fbill.example%2F")
	sameJSON(t, got, `{"metadata":{"command":"create_integration_link","reason":"Unknown app (“create_integration_link”) requested for this version (1) of the API.","result":0,"version":1}}`)
}

func TestWireNewServerOffersEveryFunction(t *testing.T) {
	srv := wireServer(t, "")
	_, got := wireCall(t, srv, wireAuth, "/json-api/applist?api.version=1", "")
	sameJSON(t, got, `{"metadata":{"command":"applist","reason":"OK","result":1,"version":1},
		"data":{"app":["applist","batch","create_integration_group","create_integration_link","create_user_session",
		"get_current_profile","get_integration_link_user_config","list_integration_groups","list_integration_links",
		"listaccts","remove_integration_group","remove_integration_link","update_integration_link_token","version"]}}`)
}

func TestWireStoresExactlyWhatWasSent(t *testing.T) {
	srv := wireServer(t, "")
	status, got := wireCall(t, srv, wireAuth, "/json-api/create_integration_link?api.version=1",
		"user=alice&app=billing_invoices&label=View+Invoices&order=3&group_id=billing&implements=billing"+
			"&subscriber_unique_id=sub-1&token=s3cr3t&autologin_token_url=https%3A%2F%2Fbill.example%2Fsso%3Fdestination%3Dinvoices"+
			"&url=https%3A%2F%2Fbill.example%2Flogin&hide=0&unknown_param=ignored")
	if status != 200 || !strings.Contains(got, `"result":1`) {
		t.Fatalf("create: %d %s", status, got)
	}
	want := []whmsim.Link{{
		App: "billing_invoices", Label: "View Invoices", Order: 3, GroupID: "billing", Implements: "billing",
		SubscriberUniqueID: "sub-1", AutologinTokenURL: "https://bill.example/sso?destination=invoices",
		URL: "https://bill.example/login",
	}}
	if got := srv.Links("alice"); !reflect.DeepEqual(got, want) {
		t.Errorf("links = %+v\nwant %+v", got, want)
	}
	if !srv.TokenMatches("alice", "billing_invoices", "s3cr3t") {
		t.Error("the token was not stored")
	}
	// update_integration_link_token rotates the secret only.
	_, got = wireCall(t, srv, wireAuth, "/json-api/update_integration_link_token?api.version=1",
		"user=alice&app=billing_invoices&token=n3w")
	sameJSON(t, got, `{"metadata":{"command":"update_integration_link_token","reason":"OK","result":1,"version":1}}`)
	if !srv.TokenMatches("alice", "billing_invoices", "n3w") {
		t.Error("the token was not rotated")
	}
	if got := srv.Links("alice"); !reflect.DeepEqual(got, want) {
		t.Errorf("rotation changed other fields: %+v", got)
	}
	// Creating the same app again replaces it.
	_, _ = wireCall(t, srv, wireAuth, "/json-api/create_integration_link?api.version=1",
		"user=alice&app=billing_invoices&label=Invoices&subscriber_unique_id=sub-1&token=n3w&url=https%3A%2F%2Fbill.example%2Flogin")
	if got := srv.Links("alice"); len(got) != 1 || got[0].Label != "Invoices" || got[0].Order != 99999 || got[0].GroupID != "" {
		t.Errorf("replace: links = %+v", got)
	}
}

func TestWireXIDDiffersPerCall(t *testing.T) {
	srv := wireServer(t, "")
	xids := map[string]bool{}
	for range 5 {
		_, got := wireCall(t, srv, wireAuth, "/json-api/list_integration_links?api.version=1", "user=bob")
		xid := regexp.MustCompile(`\(XID ([a-z0-9]+)\)`).FindStringSubmatch(got)
		if xid == nil {
			t.Fatalf("no XID in %s", got)
		}
		xids[xid[1]] = true
	}
	if len(xids) < 2 {
		t.Errorf("XIDs repeat: %v", xids)
	}
}
