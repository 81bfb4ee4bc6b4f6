package whmsim

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// asValues turns a parsed form back into url.Values, to compare with the
// standard parser.
func asValues(f form) url.Values {
	v := url.Values{}
	for _, p := range f {
		v[p.key] = append(v[p.key], p.value)
	}
	return v
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
