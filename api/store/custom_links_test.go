package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// customSettings are ten custom links of round r (keys custom_r<r>_<i>).
func customSettings(r int) []links.LinkSetting {
	out := make([]links.LinkSetting, links.MaxCustomLinks)
	for i := range out {
		out[i] = links.LinkSetting{Key: fmt.Sprintf("custom_r%d_%d", r, i), Label: "L", Enabled: true, Order: 100 + i,
			Target: links.TargetClientArea, Route: "/portal"}
	}
	return out
}

func TestRemovedCustomLinksAreRememberedAndBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for r := range 4 {
			if _, err := s.SaveLinkSettings(ctx, links.ModuleCPanel, customSettings(r), links.NewOperation{}); err != nil {
				t.Fatal(err)
			}
		}
		_, settings, err := s.ApplicationSettings(ctx, links.ModuleCPanel)
		if err != nil {
			t.Fatal(err)
		}
		listed, removed := 0, map[string]bool{}
		for _, st := range settings {
			if st.Removed {
				removed[st.Key] = true
				if st.Enabled {
					t.Errorf("removed %s is enabled", st.Key)
				}
			} else {
				listed++
			}
		}
		if listed != links.MaxCustomLinks || len(removed) != store.MaxRemovedCustomLinks || !removed["custom_r2_0"] || removed["custom_r3_0"] {
			t.Fatalf("listed %d, removed %v", listed, removed)
		}
		// Listed again, a removed link is simply back.
		if _, err := s.SaveLinkSettings(ctx, links.ModuleCPanel, customSettings(2), links.NewOperation{}); err != nil {
			t.Fatal(err)
		}
		st, found, err := s.LinkSetting(ctx, links.ModuleCPanel, "custom_r2_0")
		if err != nil || !found || st.Removed || !st.Enabled || st.Route != "/portal" {
			t.Fatalf("custom_r2_0 = %+v %v %v", st, found, err)
		}
	})
}
