package links

import (
	"slices"
	"testing"
)

func TestCustomKeysAndRoutes(t *testing.T) {
	for key, ok := range map[string]bool{"custom_status": true, "custom_a1_b": true, "custom_": false, "custom_Status": false,
		"custom_a-b": false, "status": false, "custom_" + "abcdefghijklmnopqrstuvwxy": false} {
		if IsCustomKey(key) != ok {
			t.Errorf("IsCustomKey(%q) = %v", key, !ok)
		}
	}
	for route, ok := range map[string]bool{"/portal": true, "/portal/services": true, "/portal/x?tab=1": true,
		"": false, "/portalx": false, "/api/v1": false, "//evil.example/portal": false, "/portal//evil": false,
		"/portal/../api": false, "/portal/..": false, `/portal\x`: false, "/portal/a b": false, "https://x/portal": false} {
		if (ValidateCustomRoute("route", route) == nil) != ok {
			t.Errorf("ValidateCustomRoute(%q) ok = %v", route, !ok)
		}
	}
}

func TestRemovedCustomLinksAreRemovedNotListed(t *testing.T) {
	settings := []LinkSetting{
		{Key: "custom_kept", Label: "Kept", Enabled: true, Order: 40, Route: "/portal"},
		{Key: "custom_gone", Label: "Gone", Order: 41, Route: "/portal", Removed: true},
	}
	ls := ApplyLinkSettings(settings)
	if len(ls) != len(Catalogue)+1 || ls[len(ls)-1].Key != "custom_kept" || !ls[len(ls)-1].Custom {
		t.Fatalf("links = %+v", ls)
	}
	if got := RemovedApps(settings, "billing"); !slices.Equal(got, []string{"billing_custom_gone"}) {
		t.Fatalf("removed apps = %v", got)
	}
	all := RemoveAll("billing", settings).Apps
	if len(all) != len(Catalogue)+2 || !slices.Contains(all, "billing_custom_kept") || !slices.Contains(all, "billing_custom_gone") {
		t.Fatalf("RemoveAll apps = %v", all)
	}
}
