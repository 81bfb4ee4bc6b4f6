package links

import "time"

// Kinds of an imported account: what an import does, or would do, with it.
const (
	ImportNewClient  = "new_client"  // a new client, its owner and the service
	ImportNewService = "new_service" // a new service under the owner's client
	ImportUpdated    = "updated"     // a known service whose domain or state changed
	ImportUnchanged  = "unchanged"   // a known service already as listed
	ImportConflict   = "conflict"    // not imported: see reason
)

// MaxImportRows is how many rows of each kind an import answers.
const MaxImportRows = 100

// ImportInput is the body of POST /servers/{id}/import.
type ImportInput struct {
	DryRun bool `json:"dry_run,omitempty"`
	// Match is how an account finds its client: "email" (the default and
	// only rule) matches its contact e-mail with a client owner's e-mail.
	Match string `json:"match,omitempty"`
}

// Validate checks the input and fills in the default rule.
func (in *ImportInput) Validate() error {
	if in.Match == "" {
		in.Match = "email"
	}
	if in.Match != "email" {
		return FieldError("match", "The match must be \"email\" (the account's contact e-mail against client owners).")
	}
	return nil
}

// ImportRow is one account of an import and what it does.
type ImportRow struct {
	Kind      string `json:"kind"`
	Username  string `json:"username"`
	Domain    string `json:"domain"`
	Email     string `json:"email"`
	Suspended bool   `json:"suspended"`
	// ClientID is the account's client (0 for a new client in a dry run or
	// a conflict); ServiceID its service once written (0 otherwise).
	ClientID  int64  `json:"client_id"`
	ServiceID int64  `json:"service_id"`
	Reason    string `json:"reason,omitempty"` // why a conflict is not imported
}

// ImportResult is the answer of an import: counts over every listed
// account and the first MaxImportRows rows of each kind, in listing order.
type ImportResult struct {
	DryRun      bool        `json:"dry_run"`
	Accounts    int         `json:"accounts"`
	NewClients  int         `json:"new_clients"`
	NewServices int         `json:"new_services"`
	Updated     int         `json:"updated"`
	Unchanged   int         `json:"unchanged"`
	Conflicts   int         `json:"conflicts"`
	Rows        []ImportRow `json:"rows"`
	// Message says, when the server lists no account, that there was
	// nothing to import.
	Message string `json:"message,omitempty"`
}

// Add counts row and keeps it when its kind has fewer than MaxImportRows.
func (r *ImportResult) Add(row ImportRow) {
	n := map[string]*int{ImportNewClient: &r.NewClients, ImportNewService: &r.NewServices, ImportUpdated: &r.Updated,
		ImportUnchanged: &r.Unchanged, ImportConflict: &r.Conflicts}[row.Kind]
	*n++
	r.Accounts++
	if *n <= MaxImportRows {
		r.Rows = append(r.Rows, row)
	}
}

// States of an import job.
const (
	ImportJobQueued  = "queued"  // waiting for a worker
	ImportJobRunning = "running" // a worker applies it, a chunk at a time
	ImportJobDone    = "done"    // every listed account was applied
	ImportJobFailed  = "failed"  // stopped: see error
)

// ImportJob is a real import in the background: the accounts the server
// listed when it started, applied a chunk per transaction with the counts
// so far. One job per server runs at a time; a job cut short by a crash or
// a restart resumes where it stopped.
type ImportJob struct {
	ID       int64  `json:"id"`
	ServerID int64  `json:"server_id"`
	Module   string `json:"module"`
	State    string `json:"state"`
	// Total is how many accounts the server listed; Done how many of them
	// are applied so far (the five counts add up to Done).
	Total       int `json:"total"`
	Done        int `json:"done"`
	NewClients  int `json:"new_clients"`
	NewServices int `json:"new_services"`
	Updated     int `json:"updated"`
	Unchanged   int `json:"unchanged"`
	Conflicts   int `json:"conflicts"`
	// ConflictRows are the first 100 accounts not imported (MaxImportRows),
	// each with its reason.
	ConflictRows []ImportRow `json:"conflict_rows"`
	// Error says why a failed job stopped; empty otherwise.
	Error string `json:"error,omitempty"`
	// StartedBy names who started the job (an e-mail or a credential name).
	StartedBy  string     `json:"started_by"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Finished tells whether the job has stopped, done or failed.
func (j ImportJob) Finished() bool { return j.State == ImportJobDone || j.State == ImportJobFailed }

// Add counts one applied account and keeps it when it is one of the first
// MaxImportRows conflicts.
func (j *ImportJob) Add(row ImportRow) {
	j.Done++
	switch row.Kind {
	case ImportNewClient:
		j.NewClients++
	case ImportNewService:
		j.NewServices++
	case ImportUpdated:
		j.Updated++
	case ImportUnchanged:
		j.Unchanged++
	case ImportConflict:
		j.Conflicts++
		if len(j.ConflictRows) < MaxImportRows {
			j.ConflictRows = append(j.ConflictRows, row)
		}
	}
}
