package store

import "time"

// Row types: the database shape of the domain. They stay inside this package;
// converters turn them into links types at the boundary.

type roleRow struct {
	ID          int64  `gorm:"primaryKey"`
	Name        string `gorm:"size:100;not null;uniqueIndex"`
	Permissions string `gorm:"type:text;not null"` // comma-separated
	Builtin     bool   `gorm:"not null;default:false"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (roleRow) TableName() string { return "roles" }

type adminRow struct {
	ID           int64  `gorm:"primaryKey"`
	Email        string `gorm:"size:190;not null;uniqueIndex"`
	Name         string `gorm:"size:190;not null"`
	PasswordHash string `gorm:"size:100;not null"`
	RoleID       int64  `gorm:"not null;index"`
	Active       bool   `gorm:"not null;default:true"`
	// SessionVersion ends every staff token issued before it changed.
	SessionVersion int64 `gorm:"not null;default:0"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (adminRow) TableName() string { return "admins" }

type serverRow struct {
	ID            int64  `gorm:"primaryKey"`
	Module        string `gorm:"size:32;not null;index"`
	Name          string `gorm:"size:190;not null;uniqueIndex"`
	Hostname      string `gorm:"size:190;not null;uniqueIndex:idx_servers_host_port"`
	Port          int    `gorm:"not null;uniqueIndex:idx_servers_host_port"`
	Secure        bool   `gorm:"not null"`
	VerifyTLS     bool   `gorm:"column:verify_tls;not null"`
	Username      string `gorm:"size:190;not null"`
	APITokenEnc   string `gorm:"column:api_token_enc;type:text;not null"`
	Active        bool   `gorm:"not null;index;index:idx_servers_due,priority:1"`
	Version       string `gorm:"size:64;not null;default:''"`
	Profile       string `gorm:"size:64;not null;default:''"`
	SupportsLinks *bool
	SupportReason string `gorm:"size:500;not null;default:''"`
	CheckedAt     *time.Time
	// SSOSources is the comma-separated, normalised list of addresses
	// cPanel clicks may come from (links.NormalizeSSOSources); empty: any.
	// 50 IPv6 ranges of at most 43 characters fit in 2,200.
	SSOSources string `gorm:"column:sso_sources;size:2200;not null;default:''"`
	// WantedGen is bumped by every change of the desired state of the
	// server's accounts; DoneGen is the last generation a provisioning pass
	// found nothing due at. The server is due while it is active, DoneGen <
	// WantedGen (or RotatedGen < RotateGen) and WakeAt (a coalescing window
	// or a backoff) has passed.
	WantedGen int64      `gorm:"not null;default:0"`
	DoneGen   int64      `gorm:"not null;default:0"`
	WakeAt    *time.Time `gorm:"index:idx_servers_due,priority:2"`
	// GiveUps counts the passes given up in a row (the backoff before the
	// next); a pass that ends resets it.
	GiveUps int `gorm:"not null;default:0"`
	// RotateGen is the count of the latest rotation of every secret asked
	// of the server's module; RotatedGen is the last one applied here. Until it is, the
	// credentials of the server's services issued under an earlier one
	// (link_credentials.issued_gen) get new tokens, a chunk per transaction,
	// before its worker's next pass (RotateServer).
	RotateGen  int64 `gorm:"not null;default:0"`
	RotatedGen int64 `gorm:"not null;default:0"`
	// RotateBefore asked for a rotation in the release before migration
	// 2026120900_rotation_generations, by time; only the processes of that
	// release read it, and it stays while one may run (a rolling update).
	RotateBefore *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (serverRow) TableName() string { return "servers" }

type clientRow struct {
	ID          int64  `gorm:"primaryKey"`
	Name        string `gorm:"size:190;not null;index"`
	Email       string `gorm:"size:190;not null;index"`
	Status      string `gorm:"size:16;not null;index"`
	AllowSSO    bool   `gorm:"column:allow_sso;not null"`
	OwnerUserID int64  `gorm:"not null;index"`
	// ExternalID is the billing system's id: NULL for none, so that the
	// unique index holds any number of clients without one.
	ExternalID *string `gorm:"size:190;uniqueIndex:idx_clients_external_id"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (clientRow) TableName() string { return "clients" }

type userRow struct {
	ID           int64  `gorm:"primaryKey"`
	Email        string `gorm:"size:190;not null;uniqueIndex"`
	Name         string `gorm:"size:190;not null"`
	PasswordHash string `gorm:"size:100;not null"`
	// SessionVersion ends every client-area session started before it changed.
	SessionVersion int64 `gorm:"not null;default:0"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (userRow) TableName() string { return "users" }

type membershipRow struct {
	ClientID    int64  `gorm:"primaryKey;autoIncrement:false"`
	UserID      int64  `gorm:"primaryKey;autoIncrement:false;index"`
	Permissions string `gorm:"type:text;not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (membershipRow) TableName() string { return "memberships" }

type serviceRow struct {
	// (server_id, id) serves the provisioning cursor: "this server's
	// accounts after id N, in id order" (PushAccounts).
	ID       int64   `gorm:"primaryKey;index:idx_services_server_id,priority:2"`
	ClientID int64   `gorm:"not null;index"`
	ServerID int64   `gorm:"not null;uniqueIndex:idx_services_server_username,priority:1;index:idx_services_server_id,priority:1"`
	Username *string `gorm:"size:64;uniqueIndex:idx_services_server_username,priority:2"`
	Domain   string  `gorm:"size:253;not null;default:''"`
	Status   string  `gorm:"size:16;not null;index"`
	// ExternalID is the billing system's id: NULL for none.
	ExternalID *string `gorm:"size:190;uniqueIndex:idx_services_external_id"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (serviceRow) TableName() string { return "services" }

// linkCredentialRow holds a service's link credentials: the public subscriber
// id, the secret token sealed (it is pushed to the panel again on every sync)
// and its hash (what a click is verified against).
type linkCredentialRow struct {
	ServiceID          int64  `gorm:"primaryKey;autoIncrement:false"`
	SubscriberUniqueID string `gorm:"size:64;not null;uniqueIndex"`
	TokenEnc           string `gorm:"type:text;not null"`
	TokenHash          string `gorm:"size:64;not null"`
	// Version is part of the desired state of the service's location: a
	// new version (rotation) makes it out of date.
	Version int `gorm:"not null;default:1"`
	// PrevTokenHash is the hash of the token before a rotation ('' when
	// none), accepted by the SSO click check while the rotation is pending
	// and for the rotation grace after the panel confirmed it.
	PrevTokenHash string `gorm:"size:64;not null;default:''"`
	// UnconfirmedHashes are the hashes of the tokens issued after the
	// previous one and replaced by a later rotation before the panel
	// confirmed them, space-separated, the latest maxUnconfirmed: a request
	// carrying one may have reached the panel unanswered, so they are
	// accepted as the previous one is.
	UnconfirmedHashes string `gorm:"size:600;not null;default:''"`
	// PrevConfirmedAt is when the panel confirmed the new version: NULL
	// while the rotation is pending.
	PrevConfirmedAt *time.Time
	CreatedAt       time.Time
	// UpdatedAt is when the token was issued (created or rotated): nothing
	// else writes the row's updated_at (a confirmation writes
	// prev_confirmed_at alone).
	UpdatedAt time.Time
	// IssuedGen is the rotation of every secret (servers.rotate_gen) that
	// issued the token, 0 when something else did (a creation, a move, a
	// rotation of this one). It is never more than the highest count asked
	// of any server before the token was issued, and each request counts
	// past every count asked before (of any server, so that a count
	// carried from another server, by a process of the release before
	// say, cannot be ahead): every request rotates the tokens issued
	// before it. A lower value only rotates a token once more.
	IssuedGen int64 `gorm:"not null;default:0"`
}

func (linkCredentialRow) TableName() string { return "link_credentials" }

// applicationRow is the per-application switch and settings.
type applicationRow struct {
	Module  string `gorm:"primaryKey;size:32"`
	Enabled bool   `gorm:"not null"`
	// Fingerprint is the application part of the desired state
	// (links.AppFingerprint), written by the engine.
	Fingerprint string `gorm:"size:64;not null;default:''"`
	// ConfigFP is links.ConfigFingerprint as the last engine started has
	// it (empty before any); ConfigAt is when a process that has it last
	// said so (HoldConfig).
	ConfigFP  string     `gorm:"column:config_fp;size:64;not null;default:''"`
	ConfigAt  *time.Time `gorm:"column:config_at"`
	UpdatedAt time.Time
}

func (applicationRow) TableName() string { return "applications" }

// linkStateRow is one account location (server, username): what the panel
// last confirmed there, and the retry state when it refused. Keyed by the
// location, so that a service moved, renamed or deleted leaves a row whose
// desired state is empty: the loop removes the links there, then the row.
type linkStateRow struct {
	ServerID int64  `gorm:"primaryKey;autoIncrement:false"`
	Username string `gorm:"primaryKey;size:64"`
	// ServiceID is the service that owns the location now; nil for none.
	ServiceID *int64 `gorm:"index"`
	Module    string `gorm:"size:32;not null;default:'';index:idx_link_states_backoff,priority:1;index:idx_link_states_failed,priority:1"`
	// ConfirmedFP is the desired fingerprint the panel last confirmed
	// ('' = no links there), or a sentinel (links.Confirmed*).
	ConfirmedFP   string `gorm:"column:confirmed_fp;size:100;not null;default:''"`
	ConfirmedAt   *time.Time
	Attempts      int        `gorm:"not null;default:0"`
	NextAttemptAt *time.Time `gorm:"index:idx_link_states_backoff,priority:2"`
	LastError     string     `gorm:"type:text"`
	// FailedFP is the desired fingerprint at which the location became
	// terminal ('' = not failed).
	FailedFP string `gorm:"column:failed_fp;size:100;not null;default:'';index:idx_link_states_failed,priority:2"`
}

func (linkStateRow) TableName() string { return "link_states" }

// linkSettingRow is an application's override of one catalogue entry.
type linkSettingRow struct {
	Module  string `gorm:"primaryKey;size:32"`
	Key     string `gorm:"column:link_key;primaryKey;size:32"`
	Label   string `gorm:"size:255;not null"`
	Enabled bool   `gorm:"not null"`
	Order   int    `gorm:"column:sort_order;not null"`
	// Target, URLTemplate and Handoff: where a redeemed click lands
	// (links.TargetClientArea, or links.TargetExternal with its URL
	// template and hand-off switch). Empty reads as the client area.
	Target      string `gorm:"size:16;not null;default:''"`
	URLTemplate string `gorm:"size:2000;not null;default:''"`
	Handoff     bool   `gorm:"not null;default:false"`
	// Route is a custom link's client-area path ('' for the catalogue).
	Route string `gorm:"size:255;not null;default:''"`
	// Removed marks a custom link staff removed, kept so that pushes remove
	// it from every account (see SaveLinkSettings).
	Removed   bool `gorm:"not null;default:false"`
	UpdatedAt time.Time
}

func (linkSettingRow) TableName() string { return "link_settings" }

// operationRow is one operation. Its counters from ServersDone to Warnings
// hold only what tasks marked InOpTotals added to them (releases before the
// per-task counters); readers add the other tasks' sums (addTaskTotals).
type operationRow struct {
	ID             int64  `gorm:"primaryKey;index:idx_operations_module_id,priority:2"`
	Module         string `gorm:"size:32;not null;index:idx_operations_module_id,priority:1"`
	Kind           string `gorm:"size:32;not null"`
	State          string `gorm:"size:16;not null;index"`
	Spec           string `gorm:"type:text;not null"` // JSON: the links to push, frozen at queue time
	StartedBy      string `gorm:"size:190;not null;default:''"`
	ServersTotal   int    `gorm:"not null;default:0"`
	ServersDone    int    `gorm:"not null;default:0"`
	ServersSupport int    `gorm:"column:servers_supported;not null;default:0"`
	AccountsTotal  int    `gorm:"not null;default:0"`
	AccountsDone   int    `gorm:"not null;default:0"`
	AccountsFailed int    `gorm:"not null;default:0"`
	Warnings       int    `gorm:"not null;default:0"`
	SupersededBy   *int64
	CreatedAt      time.Time
	StartedAt      *time.Time
	FinishedAt     *time.Time `gorm:"index"`
	UpdatedAt      time.Time
}

func (operationRow) TableName() string { return "operations" }

// serverTaskRow is an operation's progress on one server: done when the
// server's done generation reaches TargetGen. Checked tells that the server's
// start was logged and its accounts counted. Its lease, cursor, attempts and
// next-attempt columns belong to the operations engine before the
// reconciler and are no longer used (kept: no column is dropped yet).
type serverTaskRow struct {
	ID             int64  `gorm:"primaryKey"`
	OperationID    int64  `gorm:"not null;uniqueIndex:idx_server_tasks_op_server,priority:1"`
	ServerID       int64  `gorm:"not null;uniqueIndex:idx_server_tasks_op_server,priority:2;index"`
	Action         string `gorm:"size:16;not null;default:'push'"`
	ServiceID      *int64 `gorm:"uniqueIndex:idx_server_tasks_op_server,priority:3"`
	Username       string `gorm:"size:64;not null;default:''"`
	State          string `gorm:"size:16;not null;index:idx_server_tasks_claim,priority:1"`
	TargetGen      int64  `gorm:"not null;default:0"`
	Checked        bool   `gorm:"not null;default:false"`
	Cursor         int64  `gorm:"column:cursor_id;not null;default:0"`
	AccountsTotal  int    `gorm:"not null;default:0"`
	AccountsDone   int    `gorm:"not null;default:0"`
	AccountsFailed int    `gorm:"not null;default:0"`
	// Warnings counts the warnings of the task's log entries; Supported
	// says the support check passed.
	Warnings  int  `gorm:"not null;default:0"`
	Supported bool `gorm:"not null;default:false"`
	// InOpTotals marks the tasks whose counters are already in their
	// operation's row: those of the releases that updated the row with
	// every batch. The others' counters are summed when read.
	InOpTotals     bool   `gorm:"column:in_op_totals;not null;default:false"`
	Attempts       int    `gorm:"not null;default:0"`
	Version        int64  `gorm:"not null;default:0"`
	LeaseOwner     string `gorm:"size:100;not null;default:''"`
	LeaseExpiresAt *time.Time
	NextAttemptAt  time.Time `gorm:"not null;index:idx_server_tasks_claim,priority:2"`
	LastError      string    `gorm:"type:text"`
	StartedAt      *time.Time
	FinishedAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (serverTaskRow) TableName() string { return "server_tasks" }

// serverLeaseRow is the per-server lease: whoever holds it is the one worker
// (in any process) talking to that server. A holder owns it while Owner is
// its claim id and ExpiresAt is in the future; it renews ExpiresAt while
// working and clears Owner when done. TaskID is a fencing counter now: every
// fenced write bumps it, so that MySQL's changed-rows count is reliable.
type serverLeaseRow struct {
	ServerID  int64     `gorm:"primaryKey;autoIncrement:false"`
	Owner     string    `gorm:"size:100;not null;default:''"`
	TaskID    int64     `gorm:"not null;default:0"`
	ExpiresAt time.Time `gorm:"not null"`
	UpdatedAt time.Time
}

func (serverLeaseRow) TableName() string { return "server_leases" }

type logEntryRow struct {
	ID int64 `gorm:"primaryKey"`
	// (operation_id, account) serves the log's account filter.
	OperationID int64 `gorm:"not null;index:idx_log_entries_op,priority:1;index:idx_log_entries_op_account,priority:1"`
	// (module, account) serves an account's history across operations.
	Module    string    `gorm:"size:32;not null;index:idx_log_entries_module_account,priority:1"`
	Time      time.Time `gorm:"not null;index"`
	Level     string    `gorm:"size:16;not null"`
	ServerID  *int64
	ServiceID *int64
	// Account is the username of the account the entry is about, '' for
	// none (kept when the service is deleted or moved away).
	Account string `gorm:"size:64;not null;default:'';index:idx_log_entries_op_account,priority:2;index:idx_log_entries_module_account,priority:2"`
	Message string `gorm:"type:text;not null"`
}

func (logEntryRow) TableName() string { return "log_entries" }

type ssoTokenRow struct {
	ID           int64  `gorm:"primaryKey"`
	TokenHash    string `gorm:"size:64;not null;uniqueIndex"`
	UserID       int64  `gorm:"not null"`
	ClientID     int64  `gorm:"not null"`
	ServiceID    *int64
	Destination  string    `gorm:"size:64;not null"`
	RedirectPath string    `gorm:"size:1000;not null;default:''"`
	Issuer       string    `gorm:"size:100;not null"`
	ExpiresAt    time.Time `gorm:"not null;index"`
	UsedAt       *time.Time
	CreatedAt    time.Time
}

func (ssoTokenRow) TableName() string { return "sso_tokens" }

type ssoEventRow struct {
	ID        int64     `gorm:"primaryKey"`
	Time      time.Time `gorm:"not null;index;index:idx_sso_events_server_time,priority:2"`
	Kind      string    `gorm:"size:16;not null"` // issue, redeem, session
	UserID    *int64    `gorm:"index"`
	ClientID  *int64    `gorm:"index"`
	ServiceID *int64
	Source    string `gorm:"size:16;not null"` // cpanel, api, portal
	// The server's recent click sources are read by (server_id, time).
	ServerID     *int64 `gorm:"index:idx_sso_events_server_time,priority:1"`
	CredentialID *int64
	Destination  string `gorm:"size:64;not null;default:''"`
	Outcome      string `gorm:"size:16;not null"` // success, refused
	Reason       string `gorm:"size:64;not null;default:''"`
	IP           string `gorm:"size:64;not null;default:''"`
}

func (ssoEventRow) TableName() string { return "sso_events" }

type apiCredentialRow struct {
	ID          int64  `gorm:"primaryKey"`
	Name        string `gorm:"size:190;not null"`
	Identifier  string `gorm:"size:64;not null;uniqueIndex"`
	SecretHash  string `gorm:"size:64;not null"`
	Permissions string `gorm:"type:text;not null"`
	CreatedBy   int64  `gorm:"not null"`
	CreatedAt   time.Time
	LastUsedAt  *time.Time
	RevokedAt   *time.Time
}

func (apiCredentialRow) TableName() string { return "api_credentials" }

// allRows lists every table, in creation order.
func allRows() []any {
	return []any{
		&roleRow{}, &adminRow{}, &serverRow{}, &clientRow{}, &userRow{}, &membershipRow{},
		&serviceRow{}, &linkCredentialRow{}, &applicationRow{}, &linkSettingRow{}, &linkStateRow{},
		&operationRow{}, &serverTaskRow{}, &serverLeaseRow{}, &logEntryRow{}, &ssoTokenRow{}, &ssoEventRow{},
		&apiCredentialRow{}, &auditRow{}, &signingKeyRow{}, &webhookRow{}, &webhookDeliveryRow{},
		&importJobRow{}, &importAccountRow{},
	}
}
