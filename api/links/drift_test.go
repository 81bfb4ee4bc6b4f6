package links

import (
	"reflect"
	"testing"
)

// driftWant is a desired set of two links, one with a per-account url.
func driftWant() (GroupSpec, []LinkSpec, AccountCreds) {
	group := GroupSpec{ID: "billing", Label: "Billing", Order: 1}
	want := []LinkSpec{
		{App: "billing_upgrade", Label: "Upgrade/Downgrade", Order: 1, Implements: "upgrade",
			AutologinTokenURL: "https://bill.example/sso?d=upgrade", URL: "https://bill.example/fallback?d=upgrade", SubURL: true},
		{App: "billing_profile", Label: "Manage Profile", Order: 10,
			AutologinTokenURL: "https://bill.example/sso?d=profile", URL: "https://bill.example/login?next=profile"},
	}
	creds := AccountCreds{Username: "alice", SubscriberUniqueID: "al_sub1", Token: "secret-token", ServiceID: 41}
	return group, want, creds
}

// driftManaged are the apps a push or removal of driftWant's application
// takes away (its catalogue and custom links, current or removed).
var driftManaged = []string{"billing_upgrade", "billing_profile", "billing_old", "billing_zold"}

// asPushed is what a panel reports after a push of driftWant.
func asPushed() AccountLinks {
	return AccountLinks{Username: "alice", HasGroup: true, Links: []FoundLink{
		{App: "billing_profile", Read: true, Label: "Manage Profile", Order: 10, GroupID: "billing",
			AutologinTokenURL: "https://bill.example/sso?d=profile", URL: "https://bill.example/login?next=profile",
			SubscriberUniqueID: "al_sub1"},
		{App: "billing_upgrade", Read: true, Label: "Upgrade/Downgrade", Order: 1, GroupID: "billing", Implements: "upgrade",
			AutologinTokenURL: "https://bill.example/sso?d=upgrade", URL: "https://bill.example/fallback?d=upgrade&sub=al_sub1",
			SubscriberUniqueID: "al_sub1"},
	}}
}

func TestDrift(t *testing.T) {
	tests := []struct {
		name   string
		noLink bool // the desired set is empty
		edit   func(*AccountLinks)
		want   []string
	}{
		{"as pushed", false, func(*AccountLinks) {}, nil},
		{"a link deleted", false, func(a *AccountLinks) { a.Links = a.Links[1:] },
			[]string{"link billing_profile missing"}},
		{"the group deleted", false, func(a *AccountLinks) { a.HasGroup = false },
			[]string{"group billing missing"}},
		{"relabelled and reordered", false, func(a *AccountLinks) { a.Links[0].Label, a.Links[0].Order = "X", 3 },
			[]string{`label of billing_profile is "X", want "Manage Profile"`, "order of billing_profile is 3, want 10"}},
		{"every other field changed", false, func(a *AccountLinks) {
			l := &a.Links[1]
			l.GroupID, l.Implements, l.URL, l.AutologinTokenURL, l.SubscriberUniqueID = "other", "", "https://x.example/", "https://x.example/sso", "al_sub2"
		}, []string{
			`group_id of billing_upgrade is "other", want "billing"`,
			`implements of billing_upgrade is "", want "upgrade"`,
			`url of billing_upgrade is "https://x.example/", want "https://bill.example/fallback?d=upgrade&sub=al_sub1"`,
			`autologin_token_url of billing_upgrade is "https://x.example/sso", want "https://bill.example/sso?d=upgrade"`,
			`subscriber_unique_id of billing_upgrade is "al_sub2", want "al_sub1"`,
		}},
		{"extra links, named in order", false, func(a *AccountLinks) {
			a.Links = append(a.Links, FoundLink{App: "billing_zold"}, FoundLink{App: "billing_old", Read: true, Label: "Old"})
		}, []string{"extra link billing_old", "extra link billing_zold"}},
		{"a link of the prefix never managed is left alone", false, func(a *AccountLinks) {
			a.Links = append(a.Links, FoundLink{App: "billing_by_hand", Read: true, Label: "By hand"})
		}, nil},
		{"a wanted link not read", false, func(a *AccountLinks) { a.Links[0] = FoundLink{App: "billing_profile"} },
			[]string{"the stored fields of link billing_profile were not read"}},
		{"everything gone", false, func(a *AccountLinks) { *a = AccountLinks{Username: "alice"} },
			[]string{"group billing missing", "link billing_upgrade missing", "link billing_profile missing"}},
		{"no links wanted, none there", true, func(a *AccountLinks) { *a = AccountLinks{Username: "alice"} }, nil},
		{"no links wanted, all still there", true, func(*AccountLinks) {},
			[]string{"extra group billing", "extra link billing_profile", "extra link billing_upgrade"}},
		{"no links wanted, only the group left", true, func(a *AccountLinks) { a.Links = nil },
			[]string{"extra group billing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			group, want, creds := driftWant()
			if tt.noLink {
				want = nil
			}
			found := asPushed()
			tt.edit(&found)
			if got := Drift(group, want, driftManaged, creds, found); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Drift =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// A link without SubURL expects the link's own url.
func TestDriftWithoutSubURLExpectsTheLinksURL(t *testing.T) {
	group, want, creds := driftWant()
	want[0].SubURL = false
	found := asPushed()
	got := Drift(group, want, driftManaged, creds, found)
	wantDiff := []string{`url of billing_upgrade is "https://bill.example/fallback?d=upgrade&sub=al_sub1", want "https://bill.example/fallback?d=upgrade"`}
	if !reflect.DeepEqual(got, wantDiff) {
		t.Errorf("Drift = %q, want %q", got, wantDiff)
	}
	found.Links[1].URL = want[0].URL
	if got := Drift(group, want, driftManaged, creds, found); got != nil {
		t.Errorf("Drift = %q, want none", got)
	}
}

// FallbackURL appends the subscriber id query-escaped, as FallbackPageURL
// does, and gives an account without one the link's own url.
func TestFallbackURLIsFallbackPageURL(t *testing.T) {
	for _, sub := range []string{"al_sub1", "a b&c=d/ü%", ""} {
		l := LinkSpec{URL: FallbackPageURL("https://bill.example", "upgrade", ""), SubURL: true}
		if got, want := l.FallbackURL(AccountCreds{SubscriberUniqueID: sub}), FallbackPageURL("https://bill.example", "upgrade", sub); got != want {
			t.Errorf("sub %q: FallbackURL = %q, want %q", sub, got, want)
		}
	}
}
