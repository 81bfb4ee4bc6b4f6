package whm

import (
	"errors"
	"strings"
	"testing"
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
