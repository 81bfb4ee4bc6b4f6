package links

import "time"

// LinkState is one account location (server, username) as the provisioning
// loop reads it: what the panel last confirmed there, and what its desired
// state depends on (the service that owns the location now and its link
// credential).
type LinkState struct {
	ServerID int64
	Username string
	// ServiceID is the service that owns the location; nil when none does
	// (it was deleted, moved or renamed away).
	ServiceID     *int64
	ConfirmedFP   string
	FailedFP      string
	Attempts      int
	NextAttemptAt *time.Time
	// The owning service as it is now: where it is and its status.
	ServiceServerID int64
	ServiceUsername string
	ServiceStatus   string
	// Its link credential; the token is sealed until just before a push.
	SubscriberUniqueID string
	TokenSealed        string
	CredVersion        int
	// Desired is the location's desired fingerprint while its server is
	// active and supports links (as when the loop walks it), computed by the
	// store from the Walk's prefix; it agrees with DesiredFP.
	Desired string
}

// Walk says which locations of a server a page of the provisioning loop
// reads, and what their desired state is.
type Walk struct {
	ServerID int64
	// Prefix is the application's DesiredPrefix ("" while it is disabled).
	Prefix string
	// Select picks the locations.
	Select Selection
}

// Selection is a subset of a server's locations.
type Selection int

const (
	// SelectAll is every location.
	SelectAll Selection = iota
	// SelectOutOfDate is the locations OutOfDate (in backoff or not).
	SelectOutOfDate
	// SelectConfirmed is the locations a service owns that are confirmed
	// at their desired state (what a verify reads back).
	SelectConfirmed
)

// AtLocation reports whether the owning service is still at this location.
func (s LinkState) AtLocation() bool {
	return s.ServiceID != nil && s.ServiceServerID == s.ServerID && s.ServiceUsername == s.Username
}

// LinkStateUpdate is what a panel's answer does to one location. It applies
// only while the location's confirmed fingerprint is still ReadFP (a repair
// or an ownership change meanwhile wins).
type LinkStateUpdate struct {
	Username      string
	ReadFP        string
	ConfirmedFP   string
	Attempts      int
	NextAttemptAt *time.Time
	LastError     string
	FailedFP      string
	// Delete drops the row of an empty, clean location no service owns.
	Delete bool
	// ServiceID and CredVersion, set on a confirmed push, end a pending
	// rotation of that credential version: the old secret is refused from
	// then on.
	ServiceID   int64
	CredVersion int
	// Done and Failed are what the update counts for the progress row:
	// confirmed, or terminal (failed for good, or not tried on a server
	// given up).
	Done, Failed bool
	// Entry, when set, is logged with the update (only if it applies).
	Entry *LogEntry
	// Event, when set, is a webhook event queued with the update (only if
	// it applies).
	Event *WebhookEvent
}

// BatchRecord is what a worker writes, in one transaction fenced by the
// server's lease: the outcome of one panel request, and a step of the
// progress row or of the server itself.
type BatchRecord struct {
	ServerID int64
	Owner    string
	// TaskID is the progress row (server task) the updates count for;
	// zero for none.
	TaskID int64
	// OperationID and Module receive the log entries; zero drops them.
	OperationID int64
	Module      string
	Updates     []LinkStateUpdate
	// Entries are logged with the batch whatever its updates do.
	Entries []LogEntry
	// Step, when set, changes a progress row after the updates.
	Step *TaskStep
	// DoneGen, when set, is the generation at which a pass found nothing
	// due: the server's done generation. The empty locations no service
	// owns are dropped with it.
	DoneGen int64
	// WakeAt, when set, is when the server is due again (a backoff).
	WakeAt *time.Time
	// GaveUp counts a give-up in a row (DoneGen resets the count).
	GaveUp bool
}

// ProgressTask is the open progress row of an operation on one server.
type ProgressTask struct {
	ID          int64
	OperationID int64
	Module      string
	Kind        string
	// TargetGen is the server generation the operation waits for.
	TargetGen      int64
	Checked        bool
	AccountsDone   int
	AccountsFailed int
	StartedAt      *time.Time
}

// ServerWork is a claimed server as its worker reads it: the server, how to
// reach it, and its generations (wanted: bumped by every change of desired
// state; done: the last generation a pass found nothing due at).
type ServerWork struct {
	Server
	Conn      ServerConn
	WantedGen int64
	DoneGen   int64
	// WakeAt, when in the future, is when the server is due again (a
	// change's coalescing window, or a backoff).
	WakeAt *time.Time
	// GiveUps counts the passes given up in a row (the backoff before the
	// next).
	GiveUps int
	// RotationAsked: a rotation of every secret is asked of the server and
	// not applied yet; its accounts get new tokens before the next pass
	// (Store.RotateServer).
	RotationAsked bool
}

// ReconcileCounts are the figures the status needs for one module.
type ReconcileCounts struct {
	// ServersBehind counts the active servers that support links (or are
	// not checked yet) whose done generation is behind the wanted one.
	ServersBehind int
	// AccountsPending counts the locations waiting for a retry (backoff).
	AccountsPending int
	// AccountsFailed counts the terminal locations.
	AccountsFailed int
}

// TaskStep changes a progress row, with its log entries (a BatchRecord's
// Step).
type TaskStep struct {
	Task ProgressTask
	// Start records the server's start: checked, Supported and
	// AccountsTotal (the accounts out of date). It applies once: a step
	// whose start was already recorded is skipped whole.
	Start         bool
	Supported     bool
	AccountsTotal int
	// AccountsFailed is added to the row's count, and Warnings to its
	// warnings (beside those of Entries: a verify's read pass logs its
	// warnings before the start that counts them).
	AccountsFailed int
	Warnings       int
	// State, when set, is the row's final state.
	State   string
	Entries []LogEntry
	// Events are webhook events queued with the step (only if it applies).
	Events []WebhookEvent
}

// Entry is a log entry about the location's account.
func (st LinkState) Entry(level, msg string) LogEntry {
	return LogEntry{Level: level, ServerID: &st.ServerID, ServiceID: st.ServiceID, Account: st.Username, Message: msg}
}
