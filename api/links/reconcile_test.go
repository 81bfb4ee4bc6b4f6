package links

import (
	"testing"
	"time"
)

func TestDesiredFP(t *testing.T) {
	base := DesiredInput{AtLocation: true, Status: ServiceActive, ServerActive: true, ServerSupported: true,
		AppEnabled: true, AppFP: "abc", CredVersion: 2}
	cases := []struct {
		name string
		edit func(*DesiredInput)
		want string
	}{
		{"qualifying", func(*DesiredInput) {}, "abc:2"},
		{"suspended still carries links", func(in *DesiredInput) { in.Status = ServiceSuspended }, "abc:2"},
		{"version 0 reads as 1", func(in *DesiredInput) { in.CredVersion = 0 }, "abc:1"},
		{"terminated", func(in *DesiredInput) { in.Status = ServiceTerminated }, ""},
		{"moved away", func(in *DesiredInput) { in.AtLocation = false }, ""},
		{"server inactive", func(in *DesiredInput) { in.ServerActive = false }, ""},
		{"server unsupported", func(in *DesiredInput) { in.ServerSupported = false }, ""},
		{"application disabled", func(in *DesiredInput) { in.AppEnabled = false }, ""},
		{"no fingerprint", func(in *DesiredInput) { in.AppFP = "" }, ""},
	}
	for _, c := range cases {
		in := base
		c.edit(&in)
		if got := DesiredFP(in); got != c.want {
			t.Errorf("%s: DesiredFP = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestOutOfDateAndDue(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Second)
	cases := []struct {
		name                       string
		desired, confirmed, failed string
		next                       *time.Time
		outOfDate, due             bool
	}{
		{"in sync", "a:1", "a:1", "", nil, false, false},
		{"in sync, empty", "", "", "", nil, false, false},
		{"never pushed", "a:1", "", "", nil, true, true},
		{"to remove", "", "a:1", "", nil, true, true},
		{"repair sentinel", "a:1", ConfirmedRepair, "", nil, true, true},
		{"repair sentinel, remove", "", ConfirmedRepair, "", nil, true, true},
		{"legacy", "a:1", ConfirmedLegacy, "", nil, true, true},
		{"other owner", "a:1", ConfirmedOwner, "", nil, true, true},
		{"terminal at this desired", "a:1", "", "a:1", nil, false, false},
		{"terminal at an older desired", "b:1", "", "a:1", nil, true, true},
		{"terminal removal", "", "a:1", "", nil, true, true},
		{"backoff not over", "a:1", "", "", &future, true, false},
		{"backoff over", "a:1", "", "", &past, true, true},
		{"backoff ends now", "a:1", "", "", &now, true, true},
		{"in sync while a backoff is set", "a:1", "a:1", "", &future, false, false},
	}
	for _, c := range cases {
		if got := OutOfDate(c.desired, c.confirmed, c.failed); got != c.outOfDate {
			t.Errorf("%s: OutOfDate = %v, want %v", c.name, got, c.outOfDate)
		}
		if got := Due(c.desired, c.confirmed, c.failed, c.next, now); got != c.due {
			t.Errorf("%s: Due = %v, want %v", c.name, got, c.due)
		}
	}
}

func TestAppFingerprint(t *testing.T) {
	ls := ApplyLinkSettings(nil)
	fp := AppFingerprint(true, ls, "https://b.example", "billing", "Billing & Support")
	if fp == "" || fp != AppFingerprint(true, ApplyLinkSettings(nil), "https://b.example", "billing", "Billing & Support") {
		t.Fatalf("fingerprint %q is not stable", fp)
	}
	relabel := ApplyLinkSettings(nil)
	relabel[0].Label += "!"
	reorder := ApplyLinkSettings(nil)
	reorder[0].Order = 99
	disable := ApplyLinkSettings(nil)
	disable[1].Enabled = false
	for name, other := range map[string]string{
		"disabled":     AppFingerprint(false, ls, "https://b.example", "billing", "Billing & Support"),
		"public url":   AppFingerprint(true, ls, "https://c.example", "billing", "Billing & Support"),
		"prefix":       AppFingerprint(true, ls, "https://b.example", "bill", "Billing & Support"),
		"group label":  AppFingerprint(true, ls, "https://b.example", "billing", "Billing"),
		"label":        AppFingerprint(true, relabel, "https://b.example", "billing", "Billing & Support"),
		"order":        AppFingerprint(true, reorder, "https://b.example", "billing", "Billing & Support"),
		"link enabled": AppFingerprint(true, disable, "https://b.example", "billing", "Billing & Support"),
	} {
		if other == fp {
			t.Errorf("changing the %s keeps the fingerprint", name)
		}
	}
	if f := DesiredFP(DesiredInput{AtLocation: true, Status: ServiceActive, ServerActive: true, ServerSupported: true, AppEnabled: true, AppFP: fp, CredVersion: 1}); f == ConfirmedRepair || f == ConfirmedLegacy || f == ConfirmedOwner {
		t.Errorf("a desired fingerprint equals a sentinel")
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 10: time.Second} {
		if got := Backoff(100*time.Millisecond, time.Second, n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestAtLocation(t *testing.T) {
	id := int64(7)
	s := LinkState{ServerID: 1, Username: "bob", ServiceID: &id, ServiceServerID: 1, ServiceUsername: "bob"}
	if !s.AtLocation() {
		t.Error("the owner at its location is not at it")
	}
	moved, renamed, none := s, s, s
	moved.ServiceServerID = 2
	renamed.ServiceUsername = "alice"
	none.ServiceID = nil
	for name, st := range map[string]LinkState{"moved": moved, "renamed": renamed, "unowned": none} {
		if st.AtLocation() {
			t.Errorf("%s: AtLocation", name)
		}
	}
}

// Every pushed link falls back to the fallback page of its destination for
// the account's subscriber id, service routes included.
func TestPushPlanFallsBackToTheFallbackPage(t *testing.T) {
	plan := PushPlan(ApplyLinkSettings(nil), "https://b.example", "billing", "Billing")
	acct := AccountCreds{Username: "alice", SubscriberUniqueID: "al_s1", ServiceID: 41}
	if len(plan.Links) != len(Catalogue) {
		t.Fatalf("%d links", len(plan.Links))
	}
	for _, l := range plan.Links {
		key := l.App[len("billing_"):]
		if got, want := l.FallbackURL(acct), "https://b.example/sso/fallback?destination="+key+"&sub=al_s1"; got != want {
			t.Errorf("%s: fallback %q, want %q", l.App, got, want)
		}
		if got, want := l.URL, "https://b.example/sso/fallback?destination="+key; got != want {
			t.Errorf("%s: url %q, want %q", l.App, got, want)
		}
	}
}

func TestTokenOnly(t *testing.T) {
	cases := []struct {
		confirmed, desired string
		want               bool
	}{
		{"abc:1", "abc:2", true},            // a rotation
		{"abc:2", "abc:2", false},           // up to date
		{"old:1", "abc:2", false},           // the links changed
		{"", "abc:1", false},                // nothing there yet
		{ConfirmedRepair, "abc:1", false},   // a sentinel has no version
		{ConfirmedOwner, "abc:1", false},    // another credential's links
		{"abc:1", "", false},                // a removal
		{ConfirmedLegacy, "?legacy", false}, // not a fingerprint
	}
	for _, c := range cases {
		if got := TokenOnly(c.confirmed, c.desired); got != c.want {
			t.Errorf("TokenOnly(%q, %q) = %v, want %v", c.confirmed, c.desired, got, c.want)
		}
	}
}
