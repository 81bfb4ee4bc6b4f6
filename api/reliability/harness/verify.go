package harness

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/applinks/applinks/api/links"
)

// DesiredApps returns the cPanel apps every account should carry: the
// enabled links of the application's configuration (prefix billing), sorted;
// nil when the application is disabled.
func (c *Client) DesiredApps(ctx context.Context, module string) ([]string, error) {
	st, err := c.Status(ctx, module)
	if err != nil {
		return nil, err
	}
	if !st.Enabled {
		return nil, nil
	}
	var ls []links.Link
	if err := c.Do(ctx, http.MethodGet, "/api/v1/applications/"+module+"/links", nil, &ls); err != nil {
		return nil, err
	}
	var apps []string
	for _, l := range ls {
		if l.Enabled {
			apps = append(apps, "billing_"+l.Key)
		}
	}
	slices.Sort(apps)
	return apps, nil
}

// Mismatch is an account whose links differ from the desired state.
type Mismatch struct {
	Server, User, Problem string
}

func (m Mismatch) String() string { return m.Server + "/" + m.User + ": " + m.Problem }

// VerifyLinks checks in the simulator that every account (or every step-th
// one) carries exactly the apps (plus the billing group when apps is
// non-empty, nothing at all when it is empty), each with the account's own
// subscriber id and token. It returns the accounts checked and the
// mismatches (at most 20 are kept).
func VerifyLinks(f *Fleet, apps []string, step int) (int, int, []Mismatch) {
	step = max(1, step)
	creds := map[string]ServiceCreds{}
	for _, c := range f.Creds {
		creds[c.Username] = c
	}
	checked, bad := 0, 0
	var out []Mismatch
	report := func(s *FleetServer, u, format string, args ...any) {
		bad++
		if len(out) < 20 {
			out = append(out, Mismatch{s.Name, u, fmt.Sprintf(format, args...)})
		}
	}
	for _, s := range f.Servers {
		for i := 0; i < len(s.Accounts); i += step {
			u := s.Accounts[i]
			checked++
			ls := s.Sim.Links(u)
			got := make([]string, 0, len(ls))
			for _, l := range ls {
				got = append(got, l.App)
			}
			slices.Sort(got)
			if !slices.Equal(got, apps) {
				report(s, u, "apps %s, want %s", strings.Join(got, ","), strings.Join(apps, ","))
				continue
			}
			groups := s.Sim.Groups(u)
			if len(apps) == 0 && len(groups) != 0 {
				report(s, u, "%d groups left after removal", len(groups))
				continue
			}
			if len(apps) > 0 && (len(groups) != 1 || groups[0].ID != "billing") {
				report(s, u, "groups %v, want the billing group", groups)
				continue
			}
			c, ok := creds[u]
			if !ok {
				continue
			}
			for _, l := range ls {
				if l.SubscriberUniqueID != c.SubscriberUniqueID || !s.Sim.TokenMatches(u, l.App, c.Token) {
					report(s, u, "link %s carries another account's credentials", l.App)
					break
				}
			}
		}
	}
	return checked, bad, out
}
