package whm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/whmsim"
)

// fuzzSecret is a secret the fuzzed bodies may echo; it must never reach an
// error message.
const fuzzSecret = "FUZZSECRETTOKEN"

func fuzzCallInfo() callInfo {
	sc := &scrubber{}
	sc.add(fuzzSecret)
	return callInfo{server: "fuzz-1", function: "version", scrub: sc}
}

// checkFuzzError asserts the invariants every error of the parser keeps.
func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	var pe *PanelError
	var te *TransportError
	switch {
	case errors.As(err, &pe):
		if pe.Reason == "" {
			t.Errorf("PanelError without a reason")
		}
	case errors.As(err, &te):
		if te.Kind == "" || te.Message == "" {
			t.Errorf("TransportError without kind or message: %#v", te)
		}
	default:
		t.Fatalf("untyped error %T: %v", err, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, `whm server "fuzz-1"`) {
		t.Errorf("message does not name the server: %q", msg)
	}
	if strings.Contains(msg, fuzzSecret) {
		t.Errorf("message leaks the secret: %q", msg)
	}
}

func addSeeds(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, `{"metadata":{"command":"version","reason":"OK","result":1,"version":1},"data":{"version":"11.120.0.16"}}`},
		{200, `{"metadata":{"command":"create_integration_link","reason":"API failure: (XID abc123) You do not have a user named “bob”.","result":0,"version":1}}`},
		{200, `{"metadata":{"result":"1"},"data":null}`},
		{200, `{"metadata":{"result":true}}`},
		{200, `{"metadata":{"result":2}}`},
		{200, `{"metadata":[]}`},
		{200, `{"cpanelresult":{"apiversion":"2","error":"Access denied","data":{"reason":"Access denied","result":"0"},"type":"text"}}`},
		{403, `{"cpanelresult":{"error":"Access denied"}}`},
		{200, `{"status":0,"statusmsg":"Permission Denied"}`},
		{200, `{"error":"FUZZSECRETTOKEN is not valid"}`},
		{200, "<!DOCTYPE html><html><head><title>WHM Login</title></head><body>login</body></html>"},
		{500, "<html>Internal Server Error</html>"},
		{302, ""},
		{200, `{"metadata":{"result":1`},
		{200, `[]`},
		{200, `"string"`},
		{200, "\xff\xfe\x00garbage"},
		{200, `{"metadata":{"command":"batch","result":0,"reason":"x"},"data":{"result":[{"metadata":{"result":1}},{"metadata":{"result":0,"reason":"(XID q) FUZZSECRETTOKEN"}}]}}`},
		{200, `{"metadata":{"command":"batch","result":1},"data":{"result":[{"metadata":{"result":1}},"x"]}}`},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body))
	}
}

// FuzzParseAnswer feeds arbitrary HTTP answers to the envelope parser: it
// must never panic, must return exactly one of a result and an error, and
// its errors are typed, name the server and never carry the secret.
func FuzzParseAnswer(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		res, err := parseAnswer(fuzzCallInfo(), status, body)
		if (res == nil) == (err == nil) {
			t.Fatalf("result %v and error %v", res, err)
		}
		if err != nil {
			checkFuzzError(t, err)
		}
	})
}

// FuzzParseBatch feeds arbitrary answers to the batch parser for a batch of
// two commands: no panic, one result per command, typed errors.
func FuzzParseBatch(f *testing.F) {
	addSeeds(f)
	cmds := []Command{{Function: "create_integration_group"}, {Function: "create_integration_link"}}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		ci := fuzzCallInfo()
		ci.function = "batch"
		out, err := parseBatch(ci, status, body, cmds)
		if err != nil {
			if out != nil {
				t.Fatalf("results %v with error %v", out, err)
			}
			checkFuzzError(t, err)
			return
		}
		if len(out) != len(cmds) {
			t.Fatalf("%d results for %d commands", len(out), len(cmds))
		}
		for i, r := range out {
			if r.Function != cmds[i].Function {
				t.Errorf("result %d is for %q", i, r.Function)
			}
			if r.Err != nil {
				var pe *PanelError
				if !errors.As(r.Err, &pe) {
					t.Errorf("result %d: untyped error %v", i, r.Err)
				}
				checkFuzzError(t, r.Err)
			}
		}
	})
}

func TestSplitReason(t *testing.T) {
	tests := []struct{ in, msg, xid string }{
		{"API failure: (XID abc123) You do not have a user named “bob”.", "You do not have a user named “bob”.", "abc123"},
		{"(XID zz9) Broken.", "Broken.", "zz9"},
		{"Plain reason.", "Plain reason.", ""},
		{"  ", "", ""},
	}
	for _, tt := range tests {
		msg, xid := splitReason(tt.in)
		if msg != tt.msg || xid != tt.xid {
			t.Errorf("splitReason(%q) = %q, %q", tt.in, msg, xid)
		}
	}
}

// FuzzParseBatchFastAgrees checks the one-pass batch parser against the
// general one: whenever the fast path accepts an answer, both give the same
// results and reasons.
func FuzzParseBatchFastAgrees(f *testing.F) {
	addSeeds(f)
	f.Add(200, []byte(`{"metadata":{"command":"batch","result":1,"reason":"OK"},"data":{"result":[{"metadata":{"result":1},"data":{"a":1}},{"metadata":{"result":"0","reason":"(XID z) no"},"data":null}]}}`))
	f.Add(200, []byte(`{"metadata":{"result":1},"data":{"result":[{"metadata":{"result":1}}]}}`))
	for _, body := range []string{
		`{"metadata":{"Result":1,"result":1},"data":{"result":[]}}`,
		`{"metadata":{"result":1},"data":{"Result":[],"result":[]}}`,
		`{"metadata":{"result":1},"data":{"result":[{"metadata":{"result":0,"reason":"a\"b\u00e9","reason":null},"data":[1,{"x":-0.5e+3}]}]}}`,
		`{"metadata":{"result":1},"metadata":{"result":0,"version":"1"},"data":{"result":[{"metadata":{"result":1},"data":{"k":"v"},"data":null}]}}`,
		`{"meta\u0064ata":{"result":1},"data":{"result":[]}}`,
		`{"metadata":{"result":1,"version":123456789012345678901},"data":{"result":[]}}`,
		`{"metadata":{"result":1},"data":{"result":[{"metadata":{"result":1,"command":7}}]}}`,
		"{\"metadata\":{\"result\":1},\"data\":{\"result\":[{\"metadata\":{\"result\":1}}]}} \n",
		`{"metadata":{"result":1},"data":{"result":[{"metadata":{"result":1}}]}}x`,
		"{\"metadata\":{\"result\":1},\"data\":{\"result\":[{\"metadata\":{\"result\":1},\"data\":\"tab\tinside\"}]}}",
		`{"metadata":{"result":1},"data":{"result":[{"metadata":{"reſult":1,"result":1}}]}}`,
	} {
		f.Add(200, []byte(body))
	}
	cmds := []Command{{Function: "create_integration_group"}, {Function: "create_integration_link"}}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		ci := fuzzCallInfo()
		ci.function = "batch"
		fast, ok := parseBatchFast(ci, status, body, cmds)
		if !ok {
			return
		}
		general, err := parseBatchGeneral(ci, status, body, cmds)
		if err != nil {
			t.Fatalf("the fast path accepted what the general parser refuses: %v", err)
		}
		for i := range cmds {
			f, g := fast[i], general[i]
			if f.Function != g.Function || string(f.Data) != string(g.Data) || fmt.Sprint(f.Err) != fmt.Sprint(g.Err) {
				t.Fatalf("result %d: fast %+v, general %+v", i, f, g)
			}
		}
	})
}

// TestEncodeBatchMatchesURLValues checks the one-pass batch encoder against
// the url.Values encoding it replaces.
func TestEncodeBatchMatchesURLValues(t *testing.T) {
	cmds := []Command{
		{Function: FnCreateIntegrationLink, Args: IntegrationLink{App: "billing_x", Label: "Billing & Support ~ “ü” 100%", Order: 3,
			GroupID: "g", SubscriberUniqueID: "7", Token: "t+/=?&", AutologinTokenURL: "https://b.example/sso?destination=a b",
			URL: "https://b.example/portal/login?next=%2Fportal"}.Args("alice")},
		{Function: FnVersion},
		{Function: FnRemoveIntegrationLink, Args: url.Values{"user": {"bob"}, "app": {"x", "y"}, "api.version": {"0"}}},
		Command{Function: FnCreateIntegrationLink, Args: url.Values{"user": {"carol"}, "token": {"a b"}}}.
			WithShared(NewSharedArgs(url.Values{"label": {"Ünïcode & more"}, "app": {"z"}})),
	}
	for _, abort := range []bool{false, true} {
		body := encodeBatch(cmds, abort)
		if len(body) != batchSize(cmds) {
			t.Errorf("body of %d bytes, sized for %d", len(body), batchSize(cmds))
		}
		got, err := url.ParseQuery(body)
		if err != nil {
			t.Fatal(err)
		}
		want := url.Values{"api.version": {"1"}, "abort_on_error": {map[bool]string{true: "1", false: "0"}[abort]}}
		for _, c := range cmds {
			q := url.Values{}
			for k, vs := range allArgs(c) {
				q[k] = vs
			}
			q.Set("api.version", "1")
			want.Add("command", c.Function+"?"+q.Encode())
		}
		if len(got) != len(want) || got.Get("api.version") != "1" || got.Get("abort_on_error") != want.Get("abort_on_error") {
			t.Fatalf("form = %v, want %v", got, want)
		}
		for i, raw := range got["command"] {
			fn, q, _ := strings.Cut(raw, "?")
			wfn, wq, _ := strings.Cut(want["command"][i], "?")
			gv, err := url.ParseQuery(q)
			wv, _ := url.ParseQuery(wq)
			if fn != wfn || err != nil || !reflect.DeepEqual(gv, wv) {
				t.Errorf("command %d = %q (%v), want %q", i, raw, err, want["command"][i])
			}
		}
	}
}

// A push's body gives each link command the url links.LinkSpec.FallbackURL
// names for its account, with or without a subscriber id, and the link's
// other arguments unchanged.
func TestPushBodyCarriesEachAccountsURL(t *testing.T) {
	spec := links.LinkSpec{App: "billing_x", Label: "X & Y", Order: 2, AutologinTokenURL: "https://b.example/sso?destination=x",
		URL: "https://b.example/sso/fallback?destination=x", SubURL: true}
	req := links.PushRequest{Group: links.GroupSpec{ID: "billing", Label: "Billing", Order: 1}, Links: []links.LinkSpec{spec}}
	for _, sub := range []string{"al_1", "sub b&c=d/ü%+", ""} {
		req.Accounts = append(req.Accounts, links.AccountCreds{Username: "u" + fmt.Sprint(len(req.Accounts)), SubscriberUniqueID: sub, Token: "t"})
	}
	p := NewCPanel(Options{})
	for range 2 { // the second request takes the link's arguments from the cache
		_, calls := p.pushCalls(req)
		form, err := url.ParseQuery(encodeBatch(commands(calls), false))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, raw := range form["command"] {
			fn, q, _ := strings.Cut(raw, "?")
			args, err := url.ParseQuery(q)
			if err != nil {
				t.Fatal(err)
			}
			if fn != FnCreateIntegrationLink {
				continue
			}
			if len(args["url"]) != 1 || args.Get("label") != spec.Label || args.Get("autologin_token_url") != spec.AutologinTokenURL {
				t.Errorf("arguments %v", args)
			}
			got = append(got, args.Get("url"))
		}
		var want []string
		for _, a := range req.Accounts {
			want = append(want, spec.FallbackURL(a))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("urls %q, want %q", got, want)
		}
	}
}

// BenchmarkBatchEncodeParse is the client's CPU per push batch: 10
// accounts x (1 group + 14 links), encoded, and the answer parsed.
func BenchmarkBatchEncodeParse(b *testing.B) {
	var cmds []Command
	shared := make([]*SharedArgs, 14)
	for l := range shared {
		shared[l] = NewSharedArgs(IntegrationLink{App: fmt.Sprintf("applinks_link%d", l), Label: "Link " + fmt.Sprint(l), Order: l,
			GroupID: "applinks", Implements: "billing", AutologinTokenURL: "https://billing.example.com/sso/cpanel/token?destination=link",
			URL: "https://billing.example.com/portal/login?next=%2Fportal%2Fservices"}.sharedArgs())
	}
	for a := range 10 {
		user := fmt.Sprintf("user%03d", a)
		cmds = append(cmds, Command{Function: FnCreateIntegrationGroup, Args: Group{ID: "applinks", Label: "Billing & Support", Order: 100}.Args(user)})
		own := NewSharedArgs(IntegrationLink{SubscriberUniqueID: fmt.Sprint(1000 + a), Token: "s3cr3t-token-value-0123456789abcdef"}.accountArgs(user))
		for l := range 14 {
			cmds = append(cmds, Command{Function: FnCreateIntegrationLink}.WithShared(shared[l], own))
		}
	}
	var ans strings.Builder
	ans.WriteString(`{"metadata":{"command":"batch","reason":"OK","result":1,"version":1},"data":{"result":[`)
	for i, c := range cmds {
		if i > 0 {
			ans.WriteByte(',')
		}
		fmt.Fprintf(&ans, `{"metadata":{"command":%q,"reason":"OK","result":1,"version":1},"data":null}`, c.Function)
	}
	ans.WriteString(`]}}`)
	body := []byte(ans.String())
	b.ReportAllocs()
	for b.Loop() {
		sc := batchScrubber("ROOTTOKEN-0123456789", cmds)
		_ = encodeBatch(cmds, false)
		out, err := parseBatch(callInfo{server: "s", function: FnBatch, scrub: sc}, 200, body, cmds)
		if err != nil || len(out) != len(cmds) {
			b.Fatal(err)
		}
	}
}

// TestFastPathTakesTheSimulatorsAnswers: the one-pass parser accepts what a
// panel really answers (here the simulator, over HTTP), successes and
// refusals alike, and agrees with the general parser on it.
func TestFastPathTakesTheSimulatorsAnswers(t *testing.T) {
	sim := whmsim.New(nil)
	t.Cleanup(func() { _ = sim.Close() })
	srv, err := sim.Start(whmsim.ServerConfig{Name: "fast-1", Token: "ROOTTOKEN-fast-path-0123456789",
		Accounts: []whmsim.Account{{User: "alice", Domain: "alice.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	link := IntegrationLink{App: "billing_x", Label: "Invoices", GroupID: "billing", SubscriberUniqueID: "1", Token: "tok-0123456789abcdef",
		URL: "https://billing.example/portal"}
	cmds := []Command{
		{Function: FnCreateIntegrationGroup, Args: Group{ID: "billing", Label: "Billing & Support", Order: 1}.Args("alice")},
		{Function: FnCreateIntegrationLink, Args: link.Args("alice")},
		{Function: FnCreateIntegrationLink, Args: link.Args("nobody")}, // refused: no such user
		{Function: FnVersion},
	}
	c := NewClient(Options{AllowLoopback: true})
	ci := callInfo{server: "fast-1", function: FnBatch, scrub: &scrubber{}}
	status, body, err := c.post(context.Background(), srv.Conn(), ci, FnBatch, encodeBatch(cmds, false), 0)
	if err != nil {
		t.Fatal(err)
	}
	fast, ok := parseBatchFast(ci, status, body, cmds)
	if !ok {
		t.Fatalf("the fast path refused the answer %s", body)
	}
	general, err := parseBatchGeneral(ci, status, body, cmds)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(fast) != fmt.Sprint(general) {
		t.Fatalf("fast %v\ngeneral %v", fast, general)
	}
	if fast[0].Err != nil || fast[1].Err != nil || fast[2].Err == nil || len(fast[3].Data) == 0 {
		t.Fatalf("results %+v", fast)
	}
}

// TestReadAnswerTakesAnySize: an answer is read whole whether its length is
// announced, wrong or unknown, bigger or smaller than the hint, and one byte
// past the limit shows it is too large.
func TestReadAnswerTakesAnySize(t *testing.T) {
	const limit = 4096
	for _, tc := range []struct {
		name          string
		size          int
		contentLength int64
		hint          int
	}{
		{"announced", 3000, 3000, 0},
		{"unknown, under the hint", 300, -1, 2000},
		{"unknown, over the hint", 3000, -1, 100},
		{"announced short", 3000, 10, 0},
		{"empty", 0, 0, 0},
		{"over the limit, announced", 9000, 9000, 0},
		{"over the limit, unknown", 9000, -1, 50000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := strings.Repeat("x", tc.size)
			got, err := readAnswer(strings.NewReader(want), tc.contentLength, limit, tc.hint)
			if err != nil {
				t.Fatal(err)
			}
			if tc.size > limit {
				want = want[:limit+1]
			}
			if string(got) != want {
				t.Fatalf("read %d bytes, want %d", len(got), len(want))
			}
		})
	}
}

// allArgs returns the command's own and shared arguments together, as
// url.Values would carry them.
func allArgs(c Command) url.Values {
	v := url.Values{}
	for _, sh := range c.shared {
		for k, vs := range sh.values {
			v[k] = vs
		}
	}
	for k, vs := range c.Args {
		v[k] = vs
	}
	return v
}
