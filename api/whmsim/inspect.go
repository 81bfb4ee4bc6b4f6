package whmsim

// The controls and the inspection a test or the bench has of one simulated
// server: faults, accounts, their links and groups, and the call counters.

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// SetFaults replaces the faults in force. Setting Refuse closes the listener
// (connections are refused); clearing it listens again on the same address.
func (s *Server) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("whmsim: the server is stopped")
	}
	wasRefusing := s.faults.Refuse
	s.faults = f.clone()
	switch {
	case f.Refuse && !wasRefusing && s.httpSrv != nil:
		_ = s.httpSrv.Close()
		s.httpSrv = nil
	case !f.Refuse && wasRefusing:
		if err := s.listen(); err != nil {
			s.faults.Refuse = true
			return err
		}
	}
	return nil
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.clone()
}

// AddAccount adds a hosting account; Owner defaults to root, Domain to
// "<user>.example.test" and Email to "<user>@<domain>".
func (s *Server) AddAccount(a Account) error {
	if !validUsername(a.User) {
		return fmt.Errorf("whmsim: invalid account user name %q", a.User)
	}
	if a.Owner == "" {
		a.Owner = s.cfg.Username
	}
	if a.Domain == "" {
		a.Domain = a.User + "." + defaultAccountDomainTL
	}
	if a.Email == "" {
		a.Email = a.User + "@" + a.Domain
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.accounts[a.User]; dup {
		return fmt.Errorf("whmsim: server %q already has an account %q", s.cfg.Name, a.User)
	}
	s.accounts[a.User] = &account{Account: a, links: make(map[string]*storedLink), groups: make(map[string]Group)}
	s.order = append(s.order, a.User)
	return nil
}

// RemoveAccount deletes an account with its links, as WHM's account
// termination does: calls naming it then answer "You do not have a user
// named …".
func (s *Server) RemoveAccount(user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts[user] == nil {
		return fmt.Errorf("whmsim: no account %q", user)
	}
	delete(s.accounts, user)
	s.order = slices.DeleteFunc(s.order, func(u string) bool { return u == user })
	return nil
}

// SetSuspended suspends or unsuspends an account.
func (s *Server) SetSuspended(user string, suspended bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[user]
	if a == nil {
		return fmt.Errorf("whmsim: no account %q", user)
	}
	a.Suspended = suspended
	return nil
}

// Accounts returns the accounts in the order they were added.
func (s *Server) Accounts() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Account, 0, len(s.order))
	for _, u := range s.order {
		out = append(out, s.accounts[u].Account)
	}
	return out
}

// Links returns a snapshot of the account's links sorted by app (every
// stored field except the token); nil for an unknown account.
func (s *Server) Links(user string) []Link {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[user]
	if a == nil {
		return nil
	}
	return a.sortedLinks()
}

// Groups returns a snapshot of the account's groups sorted by id; nil for an
// unknown account.
func (s *Server) Groups(user string) []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[user]
	if a == nil {
		return nil
	}
	return a.sortedGroups()
}

// TokenMatches reports whether the account's link app holds token, so that
// tests can check pushes and rotations without the snapshot exposing tokens.
func (s *Server) TokenMatches(user, app, token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[user]
	if a == nil {
		return false
	}
	l := a.links[app]
	return l != nil && l.token == token
}

// LinkToken returns the token the account's link app holds now: what the
// panel would send on a click. Tests click with it while a rotation runs;
// the snapshots (Links, State) never carry tokens.
func (s *Server) LinkToken(user, app string) (string, bool) {
	_, token, ok := s.linkWithToken(user, app)
	return token, ok
}

func (a *account) sortedLinks() []Link {
	out := make([]Link, 0, len(a.links))
	for _, l := range a.links {
		out = append(out, l.Link)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].App < out[j].App })
	return out
}

func (a *account) sortedGroups() []Group {
	out := make([]Group, 0, len(a.groups))
	for _, g := range a.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	st := Stats{
		Requests:     s.requests,
		Calls:        make(map[string]int64, len(s.calls)),
		Failures:     s.failures,
		Injected:     make(map[string]int64, len(s.injected)),
		InFlight:     s.inFlight.Load(),
		MaxInFlight:  s.maxInFlight,
		FirstArrival: s.firstArrival, LastAnswer: s.lastAnswer,
		AnswerTimes: slices.Clone(s.answerTimes),
	}
	for k, v := range s.calls {
		st.Calls[k] = v
	}
	for k, v := range s.injected {
		st.Injected[k] = v
	}
	return st
}

// ResetStats zeroes the counters; MaxInFlight restarts from the requests in
// flight now.
func (s *Server) ResetStats() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.requests, s.failures = 0, 0
	s.firstArrival, s.lastAnswer = time.Time{}, time.Time{}
	s.answerTimes = nil
	s.calls = make(map[string]int64)
	s.injected = make(map[string]int64)
	s.maxInFlight = s.inFlight.Load()
}

// callTally counts a batch's calls, to add them to the stats at once.
type callTally struct {
	calls    []callCount
	failures int64
}

type callCount struct {
	fn string
	n  int64
}

// add counts a call of fn.
func (t *callTally) add(fn string, ok bool) {
	if !ok {
		t.failures++
	}
	for i := range t.calls {
		if t.calls[i].fn == fn {
			t.calls[i].n++
			return
		}
	}
	t.calls = append(t.calls, callCount{fn, 1})
}

// reset empties the tally (and lets go of its names).
func (t *callTally) reset() {
	clear(t.calls)
	t.calls, t.failures = t.calls[:0], 0
}

// countCalls adds a tally to the stats. The tally's names may be over a
// reused buffer, and a map assignment stores its key even when the map
// holds an equal one: the names are replaced by constants or copies first.
func (s *Server) countCalls(t *callTally) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	for _, c := range t.calls {
		s.calls[ownName(c.fn)] += c.n
	}
	s.failures += t.failures
}

// ownName returns fn as a constant when it names a function, or else as a
// copy.
func ownName(fn string) string {
	if fn == "batch" {
		return "batch"
	}
	for _, name := range functionNames {
		if name == fn {
			return name
		}
	}
	return strings.Clone(fn)
}
