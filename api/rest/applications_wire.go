package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the application endpoints (switch, links, status,
// operations, log), and their converters to and from the links domain.

// ApplicationView is an application with its switch and current status.
type ApplicationView struct {
	Application
	Enabled bool              `json:"enabled" example:"true"`
	Status  ApplicationStatus `json:"status"`
}

// ApplicationStatus is what a dashboard polls while an operation runs.
type ApplicationStatus struct {
	Module         string `json:"module" example:"cpanel"`
	State          string `json:"state" example:"provisioning" enums:"disabled,provisioning,active,syncing,deprovisioning"`
	Enabled        bool   `json:"enabled" example:"true"`
	ServersTotal   int    `json:"servers_total" example:"3"`
	ServersSupport int    `json:"servers_supported" example:"2"`
	ServersDone    int    `json:"servers_done" example:"1"`
	AccountsTotal  int    `json:"accounts_total" example:"100"`
	AccountsDone   int    `json:"accounts_done" example:"40"`
	// AccountsFailed counts the accounts whose links failed for good (after
	// every attempt) at the current desired state, across the module:
	// "active with warnings" when the state is active.
	AccountsFailed int `json:"accounts_failed" example:"1"`
	// AccountsPending counts the accounts waiting to be tried again after
	// a refusal.
	AccountsPending int `json:"accounts_pending" example:"0"`
	// ServersBehind counts the active servers that may support links and
	// still have accounts to bring up to date. The progress figures
	// (servers_total, servers_done, accounts_total, accounts_done) are the
	// current or last operation's: when the state is syncing and no
	// operation is open (operation.state completed or superseded),
	// lifecycle work (services created, moved, suspended) or retries run,
	// and servers_behind and accounts_pending say how much is left.
	ServersBehind int              `json:"servers_behind" example:"0"`
	Warnings      int              `json:"warnings" example:"1"`
	Operation     *OperationAnswer `json:"operation" extensions:"x-nullable"`
}

// OperationAnswer is one provisioning run of one application.
type OperationAnswer struct {
	ID             int64      `json:"id" example:"7"`
	Module         string     `json:"module" example:"cpanel"`
	Kind           string     `json:"kind" example:"activation" enums:"activation,configuration,deactivation,repair,retry,verify,rotation,account_sync"`
	State          string     `json:"state" example:"running" enums:"queued,running,completed,superseded"`
	StartedBy      string     `json:"started_by" example:"admin@example.com"`
	ServersTotal   int        `json:"servers_total" example:"3"`
	ServersDone    int        `json:"servers_done" example:"1"`
	ServersSupport int        `json:"servers_supported" example:"2"`
	AccountsTotal  int        `json:"accounts_total" example:"100"`
	AccountsDone   int        `json:"accounts_done" example:"40"`
	AccountsFailed int        `json:"accounts_failed" example:"1"`
	Warnings       int        `json:"warnings" example:"1"`
	SupersededBy   *int64     `json:"superseded_by,omitempty" example:"8"`
	CreatedAt      time.Time  `json:"created_at"`
	StartedAt      *time.Time `json:"started_at" extensions:"x-nullable"`
	FinishedAt     *time.Time `json:"finished_at" extensions:"x-nullable"`
}

// OperationDetail is an operation with its per-server breakdown.
type OperationDetail struct {
	OperationAnswer
	Servers []ServerTask `json:"servers"`
}

// ServerTask is an operation's work on one server.
type ServerTask struct {
	ID          int64  `json:"id" example:"12"`
	OperationID int64  `json:"operation_id" example:"7"`
	ServerID    int64  `json:"server_id" example:"1"`
	ServerName  string `json:"server_name" example:"cp1"`
	// Action, Cursor, Attempts and LastError are the engine's before the
	// reconciler, kept in the answer for its clients: now always push, 0,
	// 0 and empty (what happened to each account is in the log).
	Action         string     `json:"action" example:"push" enums:"push,remove"`
	State          string     `json:"state" example:"running" enums:"pending,running,done,unsupported,failed,superseded"`
	Checked        bool       `json:"checked" example:"true"`
	Cursor         int64      `json:"cursor" example:"420"`
	AccountsTotal  int        `json:"accounts_total" example:"50"`
	AccountsDone   int        `json:"accounts_done" example:"20"`
	AccountsFailed int        `json:"accounts_failed" example:"0"`
	Attempts       int        `json:"attempts" example:"1"`
	LastError      string     `json:"last_error,omitempty"`
	StartedAt      *time.Time `json:"started_at" extensions:"x-nullable"`
	FinishedAt     *time.Time `json:"finished_at" extensions:"x-nullable"`
	// Account sync tasks name their one account.
	ServiceID *int64 `json:"service_id,omitempty"`
	Username  string `json:"username,omitempty"`
}

// LinkAnswer is one catalogue entry with an application's overrides applied.
type LinkAnswer struct {
	Key          string `json:"key" example:"invoice_history"`
	Group        string `json:"group" example:"account"`
	DefaultLabel string `json:"default_label" example:"View Invoice History"`
	Label        string `json:"label" example:"View Invoice History"`
	Enabled      bool   `json:"enabled" example:"true"`
	Order        int    `json:"order" example:"14"`
	Implements   string `json:"implements,omitempty" example:"billing"`
	Route        string `json:"route" example:"/portal/invoices"`
	// Target is where a redeemed click lands: the client-area Route, or
	// the external URL rendered from URLTemplate (empty for the client
	// area), with a signed assertion when Handoff is on.
	Target      string `json:"target" example:"client_area" enums:"client_area,external"`
	URLTemplate string `json:"url_template" example:""`
	Handoff     bool   `json:"handoff" example:"false"`
	// Custom is true for a link of staff's own (key custom_<slug>, group
	// custom), whose Route is its own client-area path.
	Custom bool `json:"custom" example:"false"`
}

// LinkInput is one entry of the list PUT .../links takes. Every catalogue
// key must appear exactly once; custom links (key custom_<slug>, at most
// MaxCustomLinks) appear once each, and a custom link left out is removed.
type LinkInput struct {
	Key     string `json:"key" example:"invoice_history"`
	Label   string `json:"label" example:"View Invoice History"`
	Enabled *bool  `json:"enabled,omitempty" example:"true"`
	Order   *int   `json:"order,omitempty" example:"14"`
	// Target is client_area (the default when left out) or external.
	Target string `json:"target,omitempty" example:"external" enums:"client_area,external"`
	// URLTemplate is the external target's URL, e.g.
	// https://billing.example.com/invoices?service={service_id}.
	URLTemplate string `json:"url_template,omitempty" example:"https://billing.example.com/invoices?service={service_id}"`
	// Handoff adds a signed assertion (applinks_assertion) to the
	// external target's URL.
	Handoff bool `json:"handoff,omitempty" example:"true"`
	// Route is a custom link's client-area path, under /portal, for its
	// client_area target; a catalogue link leaves it out (or sends its
	// catalogue route back as GET gave it).
	Route string `json:"route,omitempty" example:"/portal/services"`
	// Group, DefaultLabel, Implements and Custom are read-only: GET gives
	// them, and they are accepted and ignored here, so that a GET answer
	// can be edited and sent back as it is.
	Group        string `json:"group,omitempty" example:"account"`
	DefaultLabel string `json:"default_label,omitempty" example:"View Invoice History"`
	Implements   string `json:"implements,omitempty" example:""`
	Custom       bool   `json:"custom,omitempty" example:"false"`
}

// LogEntry is one line of an operation's log.
type LogEntry struct {
	ID          int64     `json:"id" example:"1"`
	OperationID int64     `json:"operation_id" example:"7"`
	Module      string    `json:"module" example:"cpanel"`
	Time        time.Time `json:"time"`
	Level       string    `json:"level" example:"warning" enums:"debug,info,notice,warning"`
	ServerID    *int64    `json:"server_id" example:"1" extensions:"x-nullable"`
	ServiceID   *int64    `json:"service_id" example:"42" extensions:"x-nullable"`
	// Account is the username of the account the entry is about ("" for
	// none); it stays when the service is deleted or moved away.
	Account string `json:"account" example:"acme"`
	Message string `json:"message" example:"Server cp1 does not support application links: requires cPanel & WHM 11.54 or later."`
}

// Application is a module that supports application links.
type Application struct {
	Module string `json:"module" example:"cpanel"`
	Name   string `json:"name" example:"cPanel & WHM"`
}

// LinksAnswer is the link configuration after a save, with the
// configuration operation it queued (when the application is enabled).
type LinksAnswer struct {
	Links     []LinkAnswer     `json:"links"`
	Operation *OperationAnswer `json:"operation" extensions:"x-nullable"`
}

func toOperation(op links.Operation) OperationAnswer { return OperationAnswer(op) }

func toOperations(ops []links.Operation) []OperationAnswer {
	out := make([]OperationAnswer, len(ops))
	for i, op := range ops {
		out[i] = toOperation(op)
	}
	return out
}

func toOperationPtr(op *links.Operation) *OperationAnswer {
	if op == nil {
		return nil
	}
	o := toOperation(*op)
	return &o
}

func toOperationDetail(d links.OperationDetail) OperationDetail {
	out := OperationDetail{OperationAnswer: toOperation(d.Operation), Servers: make([]ServerTask, len(d.Servers))}
	for i, t := range d.Servers {
		out.Servers[i] = ServerTask(t)
	}
	return out
}

func toApplicationStatus(s links.ApplicationStatus) ApplicationStatus {
	return ApplicationStatus{Module: s.Module, State: s.State, Enabled: s.Enabled, ServersTotal: s.ServersTotal,
		ServersSupport: s.ServersSupport, ServersDone: s.ServersDone, AccountsTotal: s.AccountsTotal,
		AccountsDone: s.AccountsDone, AccountsFailed: s.AccountsFailed, AccountsPending: s.AccountsPending,
		ServersBehind: s.ServersBehind, Warnings: s.Warnings, Operation: toOperationPtr(s.Operation)}
}

func toApplicationView(v links.ApplicationView) ApplicationView {
	return ApplicationView{Application: Application(v.Application), Enabled: v.Enabled, Status: toApplicationStatus(v.Status)}
}

func toApplicationViews(vs []links.ApplicationView) []ApplicationView {
	out := make([]ApplicationView, len(vs))
	for i, v := range vs {
		out[i] = toApplicationView(v)
	}
	return out
}

func toLinks(ls []links.Link) []LinkAnswer {
	out := make([]LinkAnswer, len(ls))
	for i, l := range ls {
		out[i] = LinkAnswer(l)
	}
	return out
}

// linkInputs converts the PUT body to the domain's inputs, leaving out the
// read-only fields of a GET answer and a catalogue link's own route.
func linkInputs(in []LinkInput) []links.LinkInput {
	out := make([]links.LinkInput, len(in))
	for i, l := range in {
		if d, ok := links.LinkDefByKey(l.Key); ok && l.Route == d.Route {
			l.Route = ""
		}
		out[i] = links.LinkInput{Key: l.Key, Label: l.Label, Enabled: l.Enabled, Order: l.Order, Target: l.Target,
			URLTemplate: l.URLTemplate, Handoff: l.Handoff, Route: l.Route}
	}
	return out
}

func toLogEntries(es []links.LogEntry) []LogEntry {
	out := make([]LogEntry, len(es))
	for i, e := range es {
		out[i] = LogEntry(e)
	}
	return out
}
