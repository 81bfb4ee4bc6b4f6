package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the account import, and their converters from the links
// domain.

// ImportInput is the body of POST /servers/{id}/import.
type ImportInput struct {
	DryRun bool `json:"dry_run,omitempty" example:"true"`
	// Match is how an account finds its client: "email" (the default and
	// only rule) matches its contact e-mail with a client owner's e-mail.
	Match string `json:"match,omitempty" example:"email" enums:"email"`
}

// ImportJob is a real import in the background: the accounts the server
// listed when it started, applied a chunk per transaction with the counts
// so far. One job per server runs at a time; a job cut short by a crash or
// a restart resumes where it stopped.
type ImportJob struct {
	ID       int64  `json:"id" example:"7"`
	ServerID int64  `json:"server_id" example:"3"`
	Module   string `json:"module" example:"cpanel"`
	State    string `json:"state" example:"running" enums:"queued,running,done,failed"`
	// Total is how many accounts the server listed; Done how many of them
	// are applied so far (the five counts add up to Done).
	Total       int `json:"total" example:"1200"`
	Done        int `json:"done" example:"500"`
	NewClients  int `json:"new_clients" example:"450"`
	NewServices int `json:"new_services" example:"30"`
	Updated     int `json:"updated" example:"10"`
	Unchanged   int `json:"unchanged" example:"8"`
	Conflicts   int `json:"conflicts" example:"2"`
	// ConflictRows are the first 100 accounts not imported (MaxImportRows),
	// each with its reason.
	ConflictRows []ImportRow `json:"conflict_rows"`
	// Error says why a failed job stopped; empty otherwise.
	Error string `json:"error,omitempty" example:""`
	// StartedBy names who started the job (an e-mail or a credential name).
	StartedBy  string     `json:"started_by" example:"admin@example.com"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at" extensions:"x-nullable"`
	FinishedAt *time.Time `json:"finished_at" extensions:"x-nullable"`
}

// ImportResult is the answer of an import: counts over every listed
// account and the first MaxImportRows rows of each kind, in listing order.
type ImportResult struct {
	DryRun      bool        `json:"dry_run"`
	Accounts    int         `json:"accounts" example:"120"`
	NewClients  int         `json:"new_clients" example:"100"`
	NewServices int         `json:"new_services" example:"15"`
	Updated     int         `json:"updated" example:"2"`
	Unchanged   int         `json:"unchanged" example:"1"`
	Conflicts   int         `json:"conflicts" example:"2"`
	Rows        []ImportRow `json:"rows"`
	// Message says, when the server lists no account, that there was
	// nothing to import.
	Message string `json:"message,omitempty" example:""`
}

// ImportRow is one account of an import and what it does.
type ImportRow struct {
	Kind      string `json:"kind" enums:"new_client,new_service,updated,unchanged,conflict"`
	Username  string `json:"username" example:"acme"`
	Domain    string `json:"domain" example:"acme.test"`
	Email     string `json:"email" example:"owner@acme.test"`
	Suspended bool   `json:"suspended"`
	// ClientID is the account's client (0 for a new client in a dry run or
	// a conflict); ServiceID its service once written (0 otherwise).
	ClientID  int64  `json:"client_id"`
	ServiceID int64  `json:"service_id"`
	Reason    string `json:"reason,omitempty"` // why a conflict is not imported
}

func toImportRows(rs []links.ImportRow) []ImportRow {
	out := make([]ImportRow, len(rs))
	for i, r := range rs {
		out[i] = ImportRow(r)
	}
	return out
}

func toImportResult(r links.ImportResult) ImportResult {
	return ImportResult{DryRun: r.DryRun, Accounts: r.Accounts, NewClients: r.NewClients, NewServices: r.NewServices,
		Updated: r.Updated, Unchanged: r.Unchanged, Conflicts: r.Conflicts, Rows: toImportRows(r.Rows), Message: r.Message}
}

func toImportJob(j links.ImportJob) ImportJob {
	return ImportJob{ID: j.ID, ServerID: j.ServerID, Module: j.Module, State: j.State, Total: j.Total, Done: j.Done,
		NewClients: j.NewClients, NewServices: j.NewServices, Updated: j.Updated, Unchanged: j.Unchanged,
		Conflicts: j.Conflicts, ConflictRows: toImportRows(j.ConflictRows), Error: j.Error, StartedBy: j.StartedBy,
		CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
}
