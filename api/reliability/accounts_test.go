package reliability

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/reliability/harness"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/whmsim"
)

// credential is a service's link credential as the database holds it: the
// public subscriber id and the hash of the token.
type credential struct {
	sub, tokenHash string
}

// credentialsFromDB reads every service's credential, by username, from the
// scratch database (MySQL): the suites whose services are created through
// the API cannot know the tokens, but the panel's token must hash to the
// stored hash.
func credentialsFromDB(ctx context.Context, db *harness.ScratchDB) (map[string]credential, error) {
	conn, err := db.Conn()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return readCredentials(ctx, conn)
}

func readCredentials(ctx context.Context, conn *sql.DB) (map[string]credential, error) {
	rows, err := conn.QueryContext(ctx, "SELECT s.username, lc.subscriber_unique_id, lc.token_hash FROM services s JOIN link_credentials lc ON lc.service_id = s.id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]credential{}
	for rows.Next() {
		var u string
		var c credential
		if err := rows.Scan(&u, &c.sub, &c.tokenHash); err != nil {
			return nil, err
		}
		if _, dup := out[u]; dup {
			return nil, fmt.Errorf("two services are named %s", u)
		}
		out[u] = c
	}
	return out, rows.Err()
}

// accountCheck is the outcome of checking accounts in the simulator.
type accountCheck struct {
	checked, bad int
	examples     []string
}

func (c *accountCheck) fail(s *harness.FleetServer, u, format string, args ...any) {
	c.bad++
	if len(c.examples) < 10 {
		c.examples = append(c.examples, s.Name+"/"+u+": "+fmt.Sprintf(format, args...))
	}
}

// checkAccounts checks every account of the fleet in the simulator: an
// account for which carries is true holds exactly the apps and the billing
// group, each link with the credential of creds (subscriber id equal, the
// panel's token hashing to the stored hash); any other account holds none
// of our links and no group.
func checkAccounts(f *harness.Fleet, apps []string, carries func(user string) bool, creds map[string]credential) accountCheck {
	var c accountCheck
	for _, s := range f.Servers {
		for _, u := range s.Accounts {
			c.checked++
			want := []string(nil)
			if carries(u) {
				want = apps
			}
			ls := s.Sim.Links(u)
			got := make([]string, 0, len(ls))
			for _, l := range ls {
				got = append(got, l.App)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				c.fail(s, u, "apps [%s], want [%s]", strings.Join(got, ","), strings.Join(want, ","))
				continue
			}
			groups := s.Sim.Groups(u)
			if len(want) == 0 && len(groups) != 0 || len(want) > 0 && (len(groups) != 1 || groups[0].ID != "billing") {
				c.fail(s, u, "groups %v", groups)
				continue
			}
			if len(want) == 0 {
				continue
			}
			cr, ok := creds[u]
			if !ok {
				c.fail(s, u, "carries links but has no service")
				continue
			}
			for _, l := range ls {
				tok, _ := s.Sim.LinkToken(u, l.App)
				if l.SubscriberUniqueID != cr.sub || secret.Hash(tok) != cr.tokenHash {
					c.fail(s, u, "link %s does not carry the account's credential", l.App)
					break
				}
			}
		}
	}
	return c
}

// seededCredentials turns the seeded plain credentials into credentials.
func seededCredentials(f *harness.Fleet) map[string]credential {
	out := make(map[string]credential, len(f.Creds))
	for _, c := range f.Creds {
		out[c.Username] = credential{sub: c.SubscriberUniqueID, tokenHash: secret.Hash(c.Token)}
	}
	return out
}

// all is the carries of a check where every account carries the links.
func all(string) bool { return true }

// snapshot is every account's links (every stored field but the token) and
// groups, by server/user.
func snapshot(f *harness.Fleet) map[string]whmsim.AccountState {
	out := map[string]whmsim.AccountState{}
	for _, s := range f.Servers {
		for _, a := range s.Sim.State() {
			out[s.Name+"/"+a.User] = a
		}
	}
	return out
}

// waitSettled polls the status until it says active with nothing failed or
// pending and no operation open, and returns the polls that did not.
func waitSettled(ctx context.Context, api *harness.Client, timeout time.Duration) (links.ApplicationStatus, int, error) {
	deadline := time.Now().Add(timeout)
	polls := 0
	for {
		st, err := api.Status(ctx, "cpanel")
		if err == nil && st.State == links.StateActive && (st.Operation == nil || !st.Operation.Open()) {
			return st, polls, nil
		}
		polls++
		if time.Now().After(deadline) {
			return st, polls, fmt.Errorf("status still %q after %s (%d of %d accounts done, last error %v)", st.State, timeout, st.AccountsDone, st.AccountsTotal, err)
		}
		select {
		case <-ctx.Done():
			return st, polls, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
