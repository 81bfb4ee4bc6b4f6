package whmsim

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// values returns every value of key, in order.
func (f form) values(key string) []string {
	var out []string
	for _, p := range f {
		if p.key == key {
			out = append(out, p.value)
		}
	}
	return out
}

// asValues turns a parsed form back into url.Values, to compare with the
// standard parser.
func asValues(f form) url.Values {
	v := url.Values{}
	for _, p := range f {
		v[p.key] = append(v[p.key], p.value)
	}
	return v
}

// parseQuery parses URL-encoded data as url.ParseQuery does: "&"-separated
// pairs, "+" for a space, %XX escapes. Anything url.ParseQuery refuses (a bad
// escape, a semicolon, too many fields) is refused with its error. The keys
// and values share one new buffer. (parseForm for a string: what the fuzz
// tests hold to url.ParseQuery.)
func parseQuery(q string) (form, error) {
	if q == "" {
		return nil, nil
	}
	out, _, err := parseForm(make([]byte, len(q)), stringBytes(q), nil)
	return out, err
}

func FuzzParseQueryAgrees(f *testing.F) {
	for _, seed := range []string{
		"", "a=1", "a=1&b=2&a=3", "a", "=x", "&&a=%41%42+c&", "a=%zz", "a=%4", "a=%", "a;b=1", "a=1;b",
		"command=create_integration_link%3Fuser%3Dbob%26url%3Dhttps%253A%252F%252Fx", "k%20y=v+w%2B", "%C3%A9=%E2%80%9C",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, err := parseQuery(q)
		want, werr := url.ParseQuery(q)
		if (err != nil) != (werr != nil) {
			t.Fatalf("parseQuery(%q) error %v, url.ParseQuery error %v", q, err, werr)
		}
		if err != nil {
			if err.Error() != werr.Error() {
				t.Fatalf("parseQuery(%q) error %q, url.ParseQuery %q", q, err, werr)
			}
			return
		}
		if len(want) == 0 && len(got) == 0 {
			return
		}
		if !reflect.DeepEqual(asValues(got), want) {
			t.Fatalf("parseQuery(%q) = %v, url.ParseQuery = %v", q, asValues(got), want)
		}
		for k, vs := range want {
			if got.Get(k) != vs[0] || !reflect.DeepEqual(got.values(k), vs) {
				t.Fatalf("parseQuery(%q): Get/values(%q) disagree with %v", q, k, vs)
			}
		}
	})
}

func TestParseQueryFieldLimit(t *testing.T) {
	for _, n := range []int{maxFormFields, maxFormFields + 1} {
		q := strings.Repeat("a=1&", n-1) + "a=1"
		got, err := parseQuery(q)
		_, werr := url.ParseQuery(q)
		if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Fatalf("%d fields: parseQuery error %v, url.ParseQuery error %v", n, err, werr)
		}
		if err == nil && len(got) != n {
			t.Fatalf("%d fields: parsed %d", n, len(got))
		}
	}
}

// FuzzBatchBodyAgrees holds the batch body parser (each command parsed as
// the form is read) to what url.ParseQuery makes of the body and then of
// each command's query: the same error, fields, commands (name, arguments
// in order, good or not) and the command as sent, for refusals.
func FuzzBatchBodyAgrees(f *testing.F) {
	for _, seed := range []string{
		"", "command", "command=", "command=%3F", "command=version", "command=version%3Fapi.version%3D1",
		"api.version=1&command=create_integration_link%3Fuser%3Dbob%26url%3Dhttps%253A%252F%252Fx%26label%3DA%2BB&command=x%3F%3D%26%26a",
		"command=f%3Fa%3D%25", "command=f%3Fa%3D%254", "command=f%3Fa%3D%25zz", "command=f%3Fa%3D%25%34%31", "command=f%3Fa%3D%25%3", "command=f%3Fa%3D%25%34",
		"command=f%3Fa%3D%3B", "command=f?a=b+c", "command=f%3Fa%3Db%3Fc=d", "command=f%3Fa%3D%25+1", "command=%zz", "command=f%3Fa%3D%3B%zz",
		"command=f%3F%26%26=%26", "comman%64=f%3Fx", "command=f%3Fa%3D%25%2", "command=f%3Fa;", "a=%zz&command=f", "command=f%3F%25%2541",
		"command=f%3Fa%3D" + strings.Repeat("%25", 20),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		bufs := &answerBuffers{body: []byte(body)}
		got, err := parseBatchBody(make([]byte, len(body)), bufs)
		want, werr := url.ParseQuery(body)
		if (err != nil) != (werr != nil) {
			t.Fatalf("parseBatchBody(%q) error %v, url.ParseQuery error %v", body, err, werr)
		}
		if err != nil {
			if err.Error() != werr.Error() {
				t.Fatalf("parseBatchBody(%q) error %q, url.ParseQuery %q", body, err, werr)
			}
			return
		}
		if body != string(bufs.body) {
			t.Fatalf("parseBatchBody(%q) changed the body", body)
		}
		wantCmds := want["command"]
		delete(want, "command")
		if g := asValues(got); !(len(g) == 0 && len(want) == 0) && !reflect.DeepEqual(g, want) {
			t.Fatalf("parseBatchBody(%q) fields %v, url.ParseQuery %v", body, g, want)
		}
		if len(bufs.commands) != len(wantCmds) {
			t.Fatalf("parseBatchBody(%q): %d commands, url.ParseQuery %d", body, len(bufs.commands), len(wantCmds))
		}
		for k, raw := range wantCmds {
			c := bufs.commands[k]
			fn, query, _ := strings.Cut(raw, "?")
			wantArgs, qerr := url.ParseQuery(query)
			good := qerr == nil && fn != ""
			if c.fn != fn || c.good != good || c.text(bufs.body) != raw {
				t.Fatalf("parseBatchBody(%q) command %d: fn %q good %v text %q; want %q %v %q",
					body, k, c.fn, c.good, c.text(bufs.body), fn, good, raw)
			}
			if !good {
				continue
			}
			args := bufs.commandArgs[c.lo:c.hi]
			ordered, _ := parseQuery(query) // agrees with url.ParseQuery (FuzzParseQueryAgrees), in order
			if len(args) != len(ordered) || (len(args) > 0 && !reflect.DeepEqual(args, ordered)) {
				t.Fatalf("parseBatchBody(%q) command %d: args %q, want %q", body, k, args, ordered)
			}
			if g := asValues(args); !(len(g) == 0 && len(wantArgs) == 0) && !reflect.DeepEqual(g, wantArgs) {
				t.Fatalf("parseBatchBody(%q) command %d: args %v, url.ParseQuery %v", body, k, g, wantArgs)
			}
		}
	})
}
