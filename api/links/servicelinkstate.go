package links

import "time"

// The link state of a service, as the Services screen shows it.
const (
	// LinkUpToDate: the panel confirmed the links the account should carry.
	LinkUpToDate = "up_to_date"
	// LinkPending: the account is out of date and will be pushed (or
	// cleaned), now or after its backoff.
	LinkPending = "pending"
	// LinkFailed: the panel refused the current desired state for good;
	// the account is tried again when that state changes (or on a retry).
	LinkFailed = "failed"
	// LinkNone: the account should carry no links and carries none.
	LinkNone = "none"
	// LinkHeld: the account is out of date, but its server is deactivated
	// or does not support links, and the reconciler leaves such a server's
	// accounts as they are (links included) until that changes.
	LinkHeld = "held"
)

// ServiceLinkState is a service's account location as the reconciler sees
// it: State is the verdict of LinkStateOf, the rest the location's retry
// record (zero when the engine has not written one yet).
type ServiceLinkState struct {
	State     string `json:"state"`
	LastError string `json:"last_error"`
	Attempts  int    `json:"attempts"`
	// NextAttemptAt is when a backoff ends (null: none).
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	// ConfirmedAt is when the panel last confirmed the location (null: never).
	ConfirmedAt *time.Time `json:"confirmed_at"`
	// HoldReason says why a held account is left as it is ("" otherwise).
	HoldReason string `json:"hold_reason"`
}

// LinkStateFacts is what a service's link state depends on: its desired
// fingerprint (DesiredFP) and its location's link_states row, if any.
type LinkStateFacts struct {
	Desired string
	// HasRow: the location has a link_states row; the fields below are
	// its columns.
	HasRow        bool
	ConfirmedFP   string
	FailedFP      string
	Attempts      int
	NextAttemptAt *time.Time
	LastError     string
	ConfirmedAt   *time.Time
	// Hold, when set, is why the location's server is left alone (it is
	// deactivated or does not support links).
	Hold string
}

// LinkStateOf is the one rule for a service's link state, the engine's
// own (OutOfDate): failed when the location stopped being tried at the
// current desired state, pending when it is out of date otherwise (a
// location with no row yet is out of date unless it should carry nothing)
// and its server is worked, held when it is out of date on a server left
// alone, none when nothing should be there and nothing is, else up to date.
func LinkStateOf(f LinkStateFacts) ServiceLinkState {
	out := ServiceLinkState{LastError: f.LastError, Attempts: f.Attempts, NextAttemptAt: f.NextAttemptAt, ConfirmedAt: f.ConfirmedAt}
	confirmed := f.ConfirmedFP
	if !f.HasRow {
		confirmed = "" // nothing was pushed there by the reconciler
	}
	switch {
	case f.Desired != confirmed && Terminal(f.Desired, f.FailedFP):
		out.State = LinkFailed
	case OutOfDate(f.Desired, confirmed, f.FailedFP) && f.Hold != "":
		out.State, out.HoldReason = LinkHeld, f.Hold
	case OutOfDate(f.Desired, confirmed, f.FailedFP):
		out.State = LinkPending
	case f.Desired == "":
		out.State = LinkNone
	default:
		out.State = LinkUpToDate
	}
	return out
}
