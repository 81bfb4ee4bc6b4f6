package links

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Operation kinds: what a provisioning run does.
const (
	OpActivation    = "activation"    // the application was enabled: push every link
	OpConfiguration = "configuration" // the links changed while enabled: push the new set
	OpDeactivation  = "deactivation"  // the application was disabled: remove every link and the group
	OpRepair        = "repair"        // a manual sync: push (enabled) or remove (disabled) everything again (or one server's, one account's)
	OpRetry         = "retry"         // the terminal failures were cleared: the failed accounts are tried again
	OpVerify        = "verify"        // each account's links were read back and compared with the desired ones; drift is repaired
	OpRotation      = "rotation"      // link secrets were rotated: the new tokens are pushed
	OpAccountSync   = "account_sync"  // one account changed (the operations engine's; no longer created)
)

// Operation states.
const (
	OpQueued     = "queued"
	OpRunning    = "running"
	OpCompleted  = "completed"
	OpSuperseded = "superseded"
)

// Server task states. Pending and running tasks are open; the others are final.
const (
	TaskPending     = "pending"
	TaskRunning     = "running"
	TaskDone        = "done"
	TaskUnsupported = "unsupported" // the server does not support application links
	TaskFailed      = "failed"      // the server could not be worked (unreachable, refused every batch)
	TaskSuperseded  = "superseded"
)

// Server task actions.
const (
	ActionPush = "push" // push the links (or, for a deactivation, remove them) on every qualifying account
)

// Application states shown by the status endpoint.
const (
	StateDisabled       = "disabled"
	StateProvisioning   = "provisioning"
	StateActive         = "active"
	StateSyncing        = "syncing"
	StateDeprovisioning = "deprovisioning"
)

// Log levels, exactly as the seed names them.
const (
	LevelDebug   = "debug"
	LevelInfo    = "info"
	LevelNotice  = "notice"
	LevelWarning = "warning"
)

// LogLevels lists the log levels from the most to the least verbose.
var LogLevels = []string{LevelDebug, LevelInfo, LevelNotice, LevelWarning}

// Operation is one provisioning run of one application.
type Operation struct {
	ID             int64      `json:"id"`
	Module         string     `json:"module"`
	Kind           string     `json:"kind"`
	State          string     `json:"state"`
	StartedBy      string     `json:"started_by"`
	ServersTotal   int        `json:"servers_total"`
	ServersDone    int        `json:"servers_done"`
	ServersSupport int        `json:"servers_supported"`
	AccountsTotal  int        `json:"accounts_total"`
	AccountsDone   int        `json:"accounts_done"`
	AccountsFailed int        `json:"accounts_failed"`
	Warnings       int        `json:"warnings"`
	SupersededBy   *int64     `json:"superseded_by,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	StartedAt      *time.Time `json:"started_at"`
	FinishedAt     *time.Time `json:"finished_at"`
}

// Open reports whether the operation is still queued or running.
func (o Operation) Open() bool { return o.State == OpQueued || o.State == OpRunning }

// ServerTask is an operation's work on one server.
type ServerTask struct {
	ID             int64      `json:"id"`
	OperationID    int64      `json:"operation_id"`
	ServerID       int64      `json:"server_id"`
	ServerName     string     `json:"server_name"`
	Action         string     `json:"action"`
	State          string     `json:"state"`
	Checked        bool       `json:"checked"`
	Cursor         int64      `json:"cursor"`
	AccountsTotal  int        `json:"accounts_total"`
	AccountsDone   int        `json:"accounts_done"`
	AccountsFailed int        `json:"accounts_failed"`
	Attempts       int        `json:"attempts"`
	LastError      string     `json:"last_error,omitempty"`
	StartedAt      *time.Time `json:"started_at"`
	FinishedAt     *time.Time `json:"finished_at"`
	// Account sync tasks name their one account.
	ServiceID *int64 `json:"service_id,omitempty"`
	Username  string `json:"username,omitempty"`
}

// OperationDetail is an operation with its per-server breakdown.
type OperationDetail struct {
	Operation
	Servers []ServerTask `json:"servers"`
}

// LogEntry is one line of an operation's log.
type LogEntry struct {
	ID          int64     `json:"id"`
	OperationID int64     `json:"operation_id"`
	Module      string    `json:"module"`
	Time        time.Time `json:"time"`
	Level       string    `json:"level"`
	ServerID    *int64    `json:"server_id"`
	ServiceID   *int64    `json:"service_id"`
	// Account is the username of the account the entry is about ("" for
	// none); it stays when the service is deleted or moved away.
	Account string `json:"account"`
	Message string `json:"message"`
}

// LogFilter narrows an operation's log.
type LogFilter struct {
	// OperationID is the operation whose log is read; 0 with Module reads
	// the whole log of the application (an account's history).
	OperationID int64
	Module      string
	Level       string
	ServerID    int64
	// Account keeps the entries about the accounts with this username.
	Account string
	// Query keeps the entries whose message contains it (any case).
	Query string
	// Order is OrderNewest (the default of the API) or OrderOldest.
	Order string
	Page
}

// OperationFilter narrows the operation history.
type OperationFilter struct {
	Module string
	Page
}

// LinkSetting is an application's override of one catalogue entry.
type LinkSetting struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Enabled bool   `json:"enabled"`
	Order   int    `json:"order"`
	// Target is TargetClientArea or TargetExternal; URLTemplate and
	// Handoff belong to an external target (see ValidateTarget).
	Target      string `json:"target"`
	URLTemplate string `json:"url_template"`
	Handoff     bool   `json:"handoff"`
	// Route is a custom link's client-area path (empty for a catalogue
	// link, whose route is the catalogue's).
	Route string `json:"route,omitempty"`
	// Removed marks a custom link staff removed: kept only so that pushes
	// remove its app from every account (RemovedApps), never listed.
	Removed bool `json:"-"`
}

// LinkInput is one entry of the list PUT .../links takes. Every catalogue
// key must appear exactly once; custom links (key custom_<slug>, at most
// MaxCustomLinks) appear once each, and a custom link left out is removed.
type LinkInput struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Enabled *bool  `json:"enabled,omitempty"`
	Order   *int   `json:"order,omitempty"`
	// Target is client_area (the default when left out) or external.
	Target string `json:"target,omitempty"`
	// URLTemplate is the external target's URL, e.g.
	// https://billing.example.com/invoices?service={service_id}.
	URLTemplate string `json:"url_template,omitempty"`
	// Handoff adds a signed assertion (applinks_assertion) to the
	// external target's URL.
	Handoff bool `json:"handoff,omitempty"`
	// Route is a custom link's client-area path, under /portal, for its
	// client_area target; catalogue links leave it out.
	Route string `json:"route,omitempty"`
}

func linkField(i int) string { return fmt.Sprintf("links[%d]", i) }

// ValidateLinkInputs checks a complete link configuration: every catalogue
// key exactly once, at most MaxCustomLinks custom links each once (see
// validateCustomInput), labels per ValidateLabel, orders present,
// non-negative and distinct. It returns the settings to store.
func ValidateLinkInputs(in []LinkInput) ([]LinkSetting, error) {
	seenKey := map[string]bool{}
	seenOrder := map[int]string{}
	out := make([]LinkSetting, 0, len(in))
	for i, l := range in {
		field := linkField(i)
		if _, ok := LinkDefByKey(l.Key); !ok && !strings.HasPrefix(l.Key, CustomKeyPrefix) {
			return nil, FieldError(field+".key", "Unknown link key %q: use a catalogue key or custom_<slug> for a link of your own.", l.Key)
		}
		if seenKey[l.Key] {
			return nil, FieldError(field+".key", "The link %q is listed twice.", l.Key)
		}
		seenKey[l.Key] = true
		if err := validateCustomInput(field, l); err != nil {
			return nil, err
		}
		if err := ValidateLabel(field+".label", l.Label); err != nil {
			return nil, err
		}
		if err := validateOrder(field, l, seenOrder); err != nil {
			return nil, err
		}
		// The scheme policy (http only for an http service) was applied
		// by ValidateLinkTargets; this is the structure.
		if err := ValidateTarget(field, l.Target, l.URLTemplate, l.Handoff, true); err != nil {
			return nil, err
		}
		target := l.Target
		if target == "" {
			target = TargetClientArea
		}
		out = append(out, LinkSetting{Key: l.Key, Label: l.Label, Enabled: *l.Enabled, Order: *l.Order,
			Target: target, URLTemplate: l.URLTemplate, Handoff: l.Handoff, Route: l.Route})
	}
	// Each key is known and listed once: the counts say what is missing
	// or too much.
	if err := checkLinkCounts(in); err != nil {
		return nil, err
	}
	return out, nil
}

// checkLinkCounts checks the list holds as many catalogue entries as the
// catalogue and at most MaxCustomLinks custom ones.
func checkLinkCounts(in []LinkInput) error {
	custom := 0
	for _, l := range in {
		if strings.HasPrefix(l.Key, CustomKeyPrefix) {
			custom++
		}
	}
	if custom > MaxCustomLinks {
		return FieldError("links", "An application may have at most %d custom links (got %d).", MaxCustomLinks, custom)
	}
	if n := len(in) - custom; n != len(Catalogue) {
		return FieldError("links", "List every one of the %d catalogue links exactly once (got %d).", len(Catalogue), n)
	}
	return nil
}

// validateOrder checks a link's switch and order: present, the order
// within 0..99999 and no other link's.
func validateOrder(field string, l LinkInput, seenOrder map[int]string) error {
	if l.Enabled == nil {
		return FieldError(field+".enabled", "Say whether the link %q is enabled.", l.Key)
	}
	if l.Order == nil {
		return FieldError(field+".order", "The order of the link %q is required.", l.Key)
	}
	if *l.Order < 0 || *l.Order > 99999 {
		return FieldError(field+".order", "The order of the link %q must be between 0 and 99999.", l.Key)
	}
	if other, dup := seenOrder[*l.Order]; dup {
		return FieldError(field+".order", "The links %q and %q have the same order %d.", other, l.Key, *l.Order)
	}
	seenOrder[*l.Order] = l.Key
	return nil
}

// ApplyLinkSettings returns the catalogue with the overrides applied and
// the custom links (not the removed ones), sorted by order. Catalogue
// entries without an override keep their default label, are enabled and
// keep their catalogue position as order.
func ApplyLinkSettings(settings []LinkSetting) []Link {
	by := map[string]LinkSetting{}
	for _, s := range settings {
		by[s.Key] = s
	}
	out := make([]Link, len(Catalogue))
	for i, d := range Catalogue {
		l := Link{Key: d.Key, Group: d.Group, DefaultLabel: d.DefaultLabel, Label: d.DefaultLabel, Enabled: true,
			Order: i + 1, Implements: d.Implements, Route: d.Route, Target: TargetClientArea}
		if s, ok := by[d.Key]; ok {
			l.Label, l.Enabled, l.Order = s.Label, s.Enabled, s.Order
			if s.Target == TargetExternal {
				l.Target, l.URLTemplate, l.Handoff = s.Target, s.URLTemplate, s.Handoff
			}
		}
		out[i] = l
	}
	for _, s := range settings {
		if !s.Removed && IsCustomKey(s.Key) {
			out = append(out, customLink(s))
		}
	}
	sortLinks(out)
	return out
}

// customLink is the Link of a custom link's setting.
func customLink(s LinkSetting) Link {
	l := Link{Key: s.Key, Group: GroupCustom, DefaultLabel: s.Label, Label: s.Label, Enabled: s.Enabled, Order: s.Order,
		Route: s.Route, Target: TargetClientArea, Custom: true}
	if s.Target == TargetExternal {
		l.Target, l.URLTemplate, l.Handoff = s.Target, s.URLTemplate, s.Handoff
	}
	return l
}

func sortLinks(ls []Link) {
	slices.SortFunc(ls, func(a, b Link) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Key, b.Key))
	})
}

// ApplicationView is an application with its switch and current status.
type ApplicationView struct {
	Application
	Enabled bool              `json:"enabled"`
	Status  ApplicationStatus `json:"status"`
}

// ApplicationStatus is what a dashboard polls while an operation runs.
type ApplicationStatus struct {
	Module         string `json:"module"`
	State          string `json:"state"`
	Enabled        bool   `json:"enabled"`
	ServersTotal   int    `json:"servers_total"`
	ServersSupport int    `json:"servers_supported"`
	ServersDone    int    `json:"servers_done"`
	AccountsTotal  int    `json:"accounts_total"`
	AccountsDone   int    `json:"accounts_done"`
	// AccountsFailed counts the accounts whose links failed for good (after
	// every attempt) at the current desired state, across the module:
	// "active with warnings" when the state is active.
	AccountsFailed int `json:"accounts_failed"`
	// AccountsPending counts the accounts waiting to be tried again after
	// a refusal.
	AccountsPending int `json:"accounts_pending"`
	// ServersBehind counts the active servers that may support links and
	// have work left (ReconcileCounts): with no operation open, it says
	// how much lifecycle work is left, where the figures above are the
	// last operation's.
	ServersBehind int        `json:"servers_behind"`
	Warnings      int        `json:"warnings"`
	Operation     *Operation `json:"operation"`
}

// NewOperation asks the store to queue an operation.
type NewOperation struct {
	Module    string
	Kind      string
	Spec      string // JSON: the desired state, frozen at queue time
	StartedBy string
	// Supersede marks every open operation of the module that is not an
	// account sync as superseded by the new one.
	Supersede bool
	// Fingerprint, when set, is the application's new fingerprint
	// (AppFingerprint), stored with the operation.
	Fingerprint string
	// Entries, when set, gives the log entries written with the operation
	// in the same transaction (e.g. its start).
	Entries func(op Operation) []LogEntry
}

// OpTarget is what a targeted operation covers: the terminal locations of
// the module (Retry), every active server of the module without a mark
// (All: a verify), or every location of one server, or one location.
// Only the servers concerned are woken and get a progress row.
type OpTarget struct {
	// All wakes every active server of the module, marking nothing (with
	// Rotate: after rotating every credential of the module).
	All bool
	// Rotate gives the service ServiceID (or, with All, every service of
	// the module) a new link secret. A ServiceID target must still be the
	// account ServerID, Username when the operation is queued.
	Rotate    bool
	ServiceID int64
	// Retry clears the terminal failures of the module's locations; the
	// servers that have one are woken.
	Retry bool
	// ServerID, with Username or without, names the locations marked out
	// of date (the repair sentinel), when not Retry.
	ServerID int64
	Username string
	// Resource and ID name what the audit record is about.
	Resource, ID string
	// Action is the audit record's action.
	Action string
}

// ErrLeaseLost tells a worker that it no longer holds a server's lease, or
// an import job's (it expired and another worker took it over): it must
// stop.
var ErrLeaseLost = errors.New("the lease of the server was lost")
