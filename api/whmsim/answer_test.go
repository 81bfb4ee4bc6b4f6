package whmsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// encodingJSON is what writeJSON (encoding/json, HTML escaping off) makes of
// v, without the final newline.
func encodingJSON(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}

// awkwardStrings need escaping in JSON, or are left alone only because
// HTML escaping is off.
var awkwardStrings = []string{
	"", "OK", "create_integration_link", `a"b`, `back\slash`, "<script>alert('x')</script> & more",
	"“curly” é ü 中文 😀", "\x00\x01\x1f\t\n\r\b\f\x7f", "bad\xffutf8\xc3(", "cut\xe2\x80", "\u2028\u2029",
	"API failure: (XID abc123) You do not have a user named “<b>&amp;\"q\"</b>”.",
}

func TestAppendEnvelopeMatchesEncodingJSON(t *testing.T) {
	datas := []any{
		nil,
		map[string]any{"version": "11.120.0.16"},
		map[string]any{"links": []map[string]string{{"app": "<a&b>"}, {"app": "“é”"}}},
		map[string]any{"userconfig": map[string]string{"label": "“x” <y> & z", "hide": "0"}},
		map[string]any{"acct": []map[string]any{}, "status": 1},
	}
	for _, cmd := range awkwardStrings {
		for _, reason := range awkwardStrings {
			for _, result := range []int{0, 1} {
				for _, data := range datas {
					env := envelope{Metadata: meta{Command: cmd, Reason: reason, Result: result, Version: 1}, Data: data}
					got, err := appendEnvelope([]byte("prefix"), &env)
					if err != nil {
						t.Fatal(err)
					}
					if want := encodingJSON(t, env); !bytes.Equal(got[len("prefix"):], want) {
						t.Fatalf("appendEnvelope(%#v)\n got %s\nwant %s", env, got[len("prefix"):], want)
					}
				}
			}
		}
	}
}

func FuzzJSONStringAgrees(f *testing.F) {
	for _, s := range awkwardStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendJSONString(nil, s), encodingJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json %s", s, got, want)
		}
	})
}

// batchAnswerServer starts a server and returns its handler.
func batchAnswerServer(t *testing.T) (*Server, http.Handler) {
	t.Helper()
	sim := New(nil)
	t.Cleanup(func() { _ = sim.Close() })
	srv, err := sim.Start(ServerConfig{Name: "answer", Token: "TOK", Accounts: []Account{{User: "alice"}, {User: "bob"}}})
	if err != nil {
		t.Fatal(err)
	}
	return srv, srv.handler()
}

// post sends a form to the handler as the service does and returns the
// status and the body.
func post(t *testing.T, h http.Handler, path, body string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "whm root:TOK")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// batchOf encodes a batch body: each command is "function?query".
func batchOf(commands ...string) string {
	body := "api.version=1"
	for _, c := range commands {
		body += "&command=" + url.QueryEscape(c)
	}
	return body
}

// TestBatchAnswerMatchesEncodingJSON holds the hand-written batch answer to
// what encoding/json made of it before (the envelopes, the data of each
// held as raw JSON, in a map under "result"), byte for byte.
func TestBatchAnswerMatchesEncodingJSON(t *testing.T) {
	_, h := batchAnswerServer(t)
	link := url.Values{"api.version": {"1"}, "user": {"alice"}, "app": {"billing"}, "label": {"Billing & “Support” <b>"},
		"url": {"https://bill.example/?a=1&b=<2>"}, "subscriber_unique_id": {"1"}, "token": {"t"}}
	for _, body := range []string{
		batchOf("version?api.version=1",
			"create_integration_group?user=alice&group_id=g&label="+url.QueryEscape(`“Group” "x" <y> & z`),
			"create_integration_link?"+link.Encode(),
			"list_integration_links?user=alice",
			"get_integration_link_user_config?user=alice&app=billing",
			"create_integration_link?user=nobody&app=x&label=x&url=https%3A%2F%2Fx%2F&subscriber_unique_id=1&token=t",
			"create_integration_link?user=alice&app="+url.QueryEscape(`<b>"é"&amp;`)+"&label=x&url=https%3A%2F%2Fx%2F&subscriber_unique_id=1&token=t",
			`no<such>"fn"&é?a=1`,
			"create_integration_link?a=%zz",
			"?a=1",
			"batch?command=version",
			"listaccts?api.version=1",
			"get_current_profile?api.version=1",
			"applist?api.version=1",
		),
		batchOf("version?api.version=1", "list_integration_groups?user=alice"),
		"api.version=1&abort_on_error=1&command=" + url.QueryEscape("remove_integration_link?user=nobody&app=x") + "&command=version",
		"api.version=1",
	} {
		status, got := post(t, h, "/json-api/batch", body)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, got)
		}
		var parsed struct {
			Metadata meta `json:"metadata"`
			Data     *struct {
				Result []struct {
					Metadata meta            `json:"metadata"`
					Data     json.RawMessage `json:"data"`
				} `json:"result"`
			} `json:"data"`
		}
		if err := json.Unmarshal(got, &parsed); err != nil {
			t.Fatalf("%v: %s", err, got)
		}
		old := envelope{Metadata: parsed.Metadata}
		if parsed.Data != nil {
			results := []envelope{}
			for _, r := range parsed.Data.Result {
				env := envelope{Metadata: r.Metadata}
				if r.Data != nil {
					env.Data = r.Data
				}
				results = append(results, env)
			}
			old.Data = map[string]any{"result": results}
		}
		if want := append(encodingJSON(t, old), '\n'); !bytes.Equal(got, want) {
			t.Fatalf("batch answer\n got %s\nwant %s", got, want)
		}
	}
}

// TestKeptArgumentsOutliveTheRequest: the arguments are strings over
// buffers reused by the next requests, so what is stored must be copies.
func TestKeptArgumentsOutliveTheRequest(t *testing.T) {
	srv, h := batchAnswerServer(t)
	link := func(user, app, label, token string) string {
		return "create_integration_link?" + url.Values{"user": {user}, "app": {app}, "label": {label}, "group_id": {"grp"},
			"implements": {"billing"}, "subscriber_unique_id": {"sub-" + app}, "token": {token}, "order": {"3"},
			"url": {"https://bill.example/" + app}, "autologin_token_url": {"https://bill.example/sso/" + app}}.Encode()
	}
	group := func(user, label string) string {
		return "create_integration_group?user=" + user + "&group_id=grp&label=" + url.QueryEscape(label)
	}
	if status, body := post(t, h, "/json-api/batch", batchOf(group("alice", "Alice"), link("alice", "one", "One", "tok-one"),
		link("alice", "two", "Two", "tok-two"), "unknown_fn_alice?x=1")); status != 200 || !bytes.Contains(body, []byte(`"command":"unknown_fn_alice"`)) {
		t.Fatalf("%d %s", status, body)
	}
	if status, body := post(t, h, "/json-api/update_integration_link_token?api.version=1", "user=alice&app=two&token=tok-two-b"); status != 200 ||
		!bytes.Contains(body, []byte(`"result":1`)) {
		t.Fatalf("%d %s", status, body)
	}
	// Other requests, of other lengths, reuse the buffers.
	for i := range 20 {
		filler := strings.Repeat("x", i*37)
		post(t, h, "/json-api/batch", batchOf(group("bob", "B"+filler), link("bob", "one", "Z"+filler, "zzz"+filler), "unknown_fn_bob_"+filler[:i]+"?y=2"))
		post(t, h, "/json-api/create_integration_link?api.version=1", link("bob", "two", filler, "t")[len("create_integration_link?"):])
	}
	wantLinks := []Link{
		{App: "one", Label: "One", Order: 3, GroupID: "grp", Implements: "billing", SubscriberUniqueID: "sub-one",
			AutologinTokenURL: "https://bill.example/sso/one", URL: "https://bill.example/one"},
		{App: "two", Label: "Two", Order: 3, GroupID: "grp", Implements: "billing", SubscriberUniqueID: "sub-two",
			AutologinTokenURL: "https://bill.example/sso/two", URL: "https://bill.example/two"},
	}
	if got := srv.Links("alice"); len(got) != 2 || got[0] != wantLinks[0] || got[1] != wantLinks[1] {
		t.Fatalf("alice's links %+v, want %+v", got, wantLinks)
	}
	if got := srv.Groups("alice"); len(got) != 1 || got[0] != (Group{ID: "grp", Label: "Alice", Order: defaultOrder}) {
		t.Fatalf("alice's groups %+v", got)
	}
	if !srv.TokenMatches("alice", "one", "tok-one") || !srv.TokenMatches("alice", "two", "tok-two-b") {
		t.Fatal("alice's tokens changed")
	}
	wantCalls := map[string]int64{"batch": 21, "create_integration_group": 21, "create_integration_link": 42,
		"update_integration_link_token": 1, "unknown_fn_alice": 1}
	for i := range 20 {
		wantCalls["unknown_fn_bob_"+strings.Repeat("x", i)] = 1
	}
	if calls := srv.Stats().Calls; !reflect.DeepEqual(calls, wantCalls) {
		t.Fatalf("calls %v, want %v", calls, wantCalls)
	}
}

// TestStoredLinkKeepCopiesEveryString sets every string of a link (found by
// reflection, so that a new field is not missed) over one buffer, keeps it,
// and spoils the buffer.
func TestStoredLinkKeepCopiesEveryString(t *testing.T) {
	var (
		buf   []byte
		l     Link
		want  Link
		lv    = reflect.ValueOf(&l).Elem()
		wantv = reflect.ValueOf(&want).Elem()
		ends  []int
	)
	for i := range lv.NumField() {
		if lv.Field(i).Kind() == reflect.String {
			buf = append(buf, fmt.Sprintf("%s-%d", lv.Type().Field(i).Name, i)...)
			ends = append(ends, len(buf))
		}
	}
	buf = append(buf, "the-token"...)
	start := 0
	for i, k := 0, 0; i < lv.NumField(); i++ {
		if lv.Field(i).Kind() == reflect.String {
			lv.Field(i).SetString(bytesString(buf[start:ends[k]]))
			wantv.Field(i).SetString(string(buf[start:ends[k]]))
			start = ends[k]
			k++
		}
	}
	l.Order, l.Hide = 7, true
	want.Order, want.Hide = 7, true
	var sl storedLink
	sl.keep(l, bytesString(buf[start:]))
	for i := range buf {
		buf[i] = '#'
	}
	if sl.Link != want || sl.token != "the-token" {
		t.Fatalf("kept %+v %q, want %+v %q", sl.Link, sl.token, want, "the-token")
	}
	// Keeping the same values again copies nothing.
	if n := testing.AllocsPerRun(10, func() { sl.keep(want, "the-token") }); n != 0 {
		t.Fatalf("keeping equal values allocated %v times", n)
	}
}

// TestCreateLinkTakesTheFirstValues: create_integration_link reads its
// arguments in one pass, the first value of each counting, as Get does.
func TestCreateLinkTakesTheFirstValues(t *testing.T) {
	srv, h := batchAnswerServer(t)
	status, body := post(t, h, "/json-api/create_integration_link?api.version=1&label=Query&token=tq",
		"user=alice&user=bob&app=first&app=second&label=L1&label=L2&url=https%3A%2F%2Fa%2F&url=https%3A%2F%2Fb%2F"+
			"&subscriber_unique_id=s1&subscriber_unique_id=s2&token=t1&token=t2&order=4&order=5&hide=1&hide=0"+
			"&group_id=g1&group_id=g2&implements=i1&implements=i2")
	if status != 200 || !bytes.Contains(body, []byte(`"result":1`)) {
		t.Fatalf("%d %s", status, body)
	}
	want := Link{App: "first", Label: "L1", Order: 4, GroupID: "g1", Implements: "i1", SubscriberUniqueID: "s1", URL: "https://a/", Hide: true}
	if got := srv.Links("alice"); len(got) != 1 || got[0] != want {
		t.Fatalf("links %+v, want %+v", got, want)
	}
	if len(srv.Links("bob")) != 0 || !srv.TokenMatches("alice", "first", "t1") {
		t.Fatal("not the first user or token")
	}
}
