package links

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
	DryRun bool `json:"dry_run" example:"true"`
	// Match is how an account finds its client: "email" (the default and
	// only rule) matches its contact e-mail with a client owner's e-mail.
	Match string `json:"match" example:"email" enums:"email"`
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
	Kind      string `json:"kind" validate:"required" enums:"new_client,new_service,updated,unchanged,conflict"`
	Username  string `json:"username" validate:"required" example:"acme"`
	Domain    string `json:"domain" validate:"required" example:"acme.test"`
	Email     string `json:"email" validate:"required" example:"owner@acme.test"`
	Suspended bool   `json:"suspended" validate:"required"`
	// ClientID is the account's client (0 for a new client in a dry run or
	// a conflict); ServiceID its service once written (0 otherwise).
	ClientID  int64  `json:"client_id" validate:"required"`
	ServiceID int64  `json:"service_id" validate:"required"`
	Reason    string `json:"reason,omitempty"` // why a conflict is not imported
}

// ImportResult is the answer of an import: counts over every listed
// account and the first MaxImportRows rows of each kind, in listing order.
type ImportResult struct {
	DryRun      bool        `json:"dry_run" validate:"required"`
	Accounts    int         `json:"accounts" validate:"required" example:"120"`
	NewClients  int         `json:"new_clients" validate:"required" example:"100"`
	NewServices int         `json:"new_services" validate:"required" example:"15"`
	Updated     int         `json:"updated" validate:"required" example:"2"`
	Unchanged   int         `json:"unchanged" validate:"required" example:"1"`
	Conflicts   int         `json:"conflicts" validate:"required" example:"2"`
	Rows        []ImportRow `json:"rows" validate:"required"`
	// Message says, when the server lists no account, that there was
	// nothing to import.
	Message string `json:"message,omitempty" example:""`
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
