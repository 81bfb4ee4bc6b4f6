package links

import (
	"fmt"
	"slices"
	"testing"
)

func TestNormalizeSSOSourcesIsReadableAndCanonical(t *testing.T) {
	got, err := NormalizeSSOSources("sso_sources", []string{
		" 10.0.0.5 ", "10.0.0.5/32", "", "10.1.2.3/24", "2001:DB8::1", "2001:db8::1/128",
		"2001:db8:0:0::/48", "::ffff:192.0.2.9", "0.0.0.0/0", "10.0.0.5",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.5", "10.1.2.0/24", "2001:db8::1", "2001:db8::/48", "192.0.2.9", "0.0.0.0/0"}
	if !slices.Equal(got, want) {
		t.Fatalf("normalised %q, want %q", got, want)
	}
	if got, err := NormalizeSSOSources("sso_sources", nil); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("nil list = %#v, %v; want an empty, non-nil list", got, err)
	}
}

func TestNormalizeSSOSourcesNamesTheBadEntry(t *testing.T) {
	for _, bad := range []string{
		"10.0.0", "10.0.0.256", "example.com", "10.0.0.0/33", "2001:db8::/129", "fe80::1%eth0",
		"::ffff:10.0.0.0/104", "10.0.0.1/", "/24", "10.0.0.1 10.0.0.2", "10.0.0.1,10.0.0.2", "http://10.0.0.1",
	} {
		_, err := NormalizeSSOSources("sso_sources", []string{"10.0.0.1", "", bad})
		if ErrorCode(err) != EINVALID || fieldOf(err) != "sso_sources[2]" {
			t.Errorf("%q: error %v (field %q), want invalid naming sso_sources[2]", bad, err, fieldOf(err))
		}
	}
}

func TestNormalizeSSOSourcesBoundsTheList(t *testing.T) {
	var list []string
	for i := range MaxSSOSources {
		list = append(list, fmt.Sprintf("10.0.%d.1", i))
	}
	if _, err := NormalizeSSOSources("sso_sources", append(list, list[0])); err != nil {
		t.Fatalf("%d entries and a duplicate: %v", MaxSSOSources, err)
	}
	_, err := NormalizeSSOSources("sso_sources", append(list, "10.1.0.1"))
	if ErrorCode(err) != EINVALID || fieldOf(err) != "sso_sources" {
		t.Fatalf("%d entries: %v, want invalid naming sso_sources", MaxSSOSources+1, err)
	}
}

func TestSSOSourceAllowed(t *testing.T) {
	list, err := NormalizeSSOSources("sso_sources", []string{"203.0.113.7", "198.51.100.0/24", "2001:db8:1::/48"})
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{
		"203.0.113.7": true, "203.0.113.8": false, "198.51.100.200": true, "198.51.101.1": false,
		"::ffff:203.0.113.7": true, "2001:db8:1:2::9": true, "2001:db8:2::1": false, "127.0.0.1": false,
		"": false, "not-an-ip": false, "2001:db8:1::1%eth0": true,
	} {
		if got := SSOSourceAllowed(list, ip); got != want {
			t.Errorf("SSOSourceAllowed(%q) = %v, want %v", ip, got, want)
		}
	}
	for _, ip := range []string{"127.0.0.1", "", "garbage"} {
		if !SSOSourceAllowed(nil, ip) || !SSOSourceAllowed([]string{}, ip) {
			t.Errorf("an empty list refused %q", ip)
		}
	}
}

func TestServerInputsNormaliseSSOSources(t *testing.T) {
	in := ServerInput{Module: ModuleCPanel, Name: "cp1", Hostname: "cp1.example.com", APIToken: "T", SSOSources: []string{"10.0.0.9/8"}}
	in.Normalize()
	if err := in.Validate(); err != nil || !slices.Equal(in.SSOSources, []string{"10.0.0.0/8"}) {
		t.Fatalf("input: %v %q", err, in.SSOSources)
	}
	in.SSOSources = []string{"10.0.0.1", "nope"}
	if err := in.Validate(); fieldOf(err) != "sso_sources[1]" {
		t.Fatalf("bad input entry: %v", err)
	}
	p := ServerPatch{SSOSources: []string{"::1"}}
	if err := p.Validate(); err != nil || !slices.Equal(p.SSOSources, []string{"::1"}) {
		t.Fatalf("patch: %v %q", err, p.SSOSources)
	}
	// The list is not where the token goes: no api_token needed.
	if err := p.CheckReach(Server{}); err != nil {
		t.Fatalf("a list change asked for the token: %v", err)
	}
	p = ServerPatch{SSOSources: []string{"1.2.3.4/40"}}
	if err := p.Validate(); fieldOf(err) != "sso_sources[0]" {
		t.Fatalf("bad patch entry: %v", err)
	}
}

// fieldOf is the field an *Error names, "" for any other error.
func fieldOf(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Field
	}
	return ""
}
