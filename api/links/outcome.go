package links

import (
	"fmt"
	"strings"
	"time"
)

// The rules of a panel's answer about one location: confirmed, refused
// (backoff, then terminal), or marked to push again in full.

// RetryPolicy says how a location the panel refuses is tried again.
type RetryPolicy struct {
	// Base is the first backoff, doubled at each attempt up to a minute.
	Base time.Duration
	// MaxAttempts is the attempt after which the location is terminal.
	MaxAttempts int
}

// Attempt is one location sent to its panel, with the fingerprint it
// should carry and the name of its server (for the messages).
type Attempt struct {
	State   LinkState
	Desired string
	Server  string
}

// Confirmed is the update of a location whose desired links the panel
// confirmed. A push ends a pending rotation of the pushed credential; an
// emptied location no service owns is dropped.
func (a Attempt) Confirmed() LinkStateUpdate {
	st := a.State
	u := LinkStateUpdate{Username: st.Username, ReadFP: st.ConfirmedFP, ConfirmedFP: a.Desired, Done: true}
	if a.Desired != "" {
		u.ServiceID, u.CredVersion = *st.ServiceID, st.CredVersion
	}
	u.Delete = a.Desired == "" && st.ServiceID == nil
	return u
}

// Refused is the update of a location the panel refused (its answer about
// the account said no): a Warning naming it, and a backoff, or terminal at
// its desired fingerprint after MaxAttempts. A location terminal at another
// desired fingerprint starts counting anew. token, the secret sent, is
// scrubbed from the panel's message. A request that failed as a whole is
// no answer about its accounts: it is not a refusal (see NotSent), unless
// it carried one account and the server answers the same request for
// others (see api/provisioning).
func (a Attempt) Refused(err error, token string, p RetryPolicy, now time.Time) LinkStateUpdate {
	st := a.State
	attempts := st.Attempts + 1
	if st.FailedFP != "" {
		attempts = 1
	}
	u := LinkStateUpdate{Username: st.Username, ReadFP: st.ConfirmedFP, ConfirmedFP: st.ConfirmedFP,
		Attempts: attempts, LastError: err.Error()}
	if token != "" {
		u.LastError = strings.ReplaceAll(u.LastError, token, "[REDACTED]")
	}
	var msg string
	if attempts >= p.MaxAttempts {
		u.FailedFP, u.Failed = FailedMark(a.Desired), true
		msg = fmt.Sprintf("Account %s on server %s was refused: %s (gave up after %d attempts).",
			st.Username, a.Server, strings.TrimSuffix(u.LastError, "."), attempts)
	} else {
		d := Backoff(p.Base, time.Minute, attempts)
		next := now.Add(d)
		u.NextAttemptAt = &next
		msg = fmt.Sprintf("Account %s on server %s was refused, will retry in %s (attempt %d of %d): %s",
			st.Username, a.Server, d, attempts, p.MaxAttempts, u.LastError)
	}
	e := st.Entry(LevelWarning, msg)
	u.Entry = &e
	return u
}

// NotSent is the Warning about a location whose request failed as a whole
// (the panel unreachable, a timeout, an HTTP error, a page that is not the
// API's answer): its row is left as it was, no attempt counted, and the
// worker's next pass sends it again; requests failing in a row give the
// server up for a while (and name the accounts then). secrets are scrubbed
// from the message.
func (a Attempt) NotSent(err error, secrets ...string) LogEntry {
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[REDACTED]")
		}
	}
	st := a.State
	return st.Entry(LevelWarning, fmt.Sprintf(
		"Account %s on server %s was not updated, will retry in the next pass: %s", st.Username, a.Server, msg))
}

// Repair is the update that marks a location to push again in full (a
// link missing at a token update, or drift found); entry, when set, is
// logged with it. Attempts are kept: a repair is not a refusal.
func (a Attempt) Repair(entry *LogEntry) LinkStateUpdate {
	st := a.State
	return LinkStateUpdate{Username: st.Username, ReadFP: st.ConfirmedFP, ConfirmedFP: NewMark(ConfirmedRepair),
		Attempts: st.Attempts, Entry: entry}
}

// Drifted compares a location read back with its desired links (none when
// Desired is empty, pushed with the app's links and the location's
// credential) and returns the differences (nil: as it should be).
func (a Attempt) Drifted(app App, found AccountLinks) []string {
	var want []LinkSpec
	if a.Desired != "" {
		want = app.Push.Links
	}
	st := a.State
	creds := AccountCreds{Username: st.Username, SubscriberUniqueID: st.SubscriberUniqueID, ServiceID: *st.ServiceID}
	return Drift(app.Push.Group, want, app.Remove.Apps, creds, found)
}

// DesiredAt is a location's desired fingerprint while its server is active
// and supports links (as when the loop walks it): the rule the store's walk
// computes in SQL (LinkState.Desired), stated here for its tests.
func (a App) DesiredAt(st LinkState) string {
	return DesiredFP(DesiredInput{AtLocation: st.AtLocation(), Status: st.ServiceStatus, ServerActive: true,
		ServerSupported: true, AppEnabled: a.Enabled, AppFP: a.FP, CredVersion: st.CredVersion})
}

// Walk is the walk of a server's locations in selection sel, with their
// desired fingerprints for this application.
func (a App) Walk(serverID int64, sel Selection) Walk {
	return Walk{ServerID: serverID, Prefix: DesiredPrefix(a.Enabled, a.FP), Select: sel}
}
