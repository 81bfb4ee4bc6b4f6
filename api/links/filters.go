package links

// ServerFilter narrows ListServers.
type ServerFilter struct {
	Module string
	Active *bool
	Query  string // matches name or hostname
	Page
}

// ClientFilter narrows ListClients.
type ClientFilter struct {
	Status string
	Query  string // matches name or e-mail
	// ExternalID matches the billing system's id exactly.
	ExternalID string
	Page
}

// ServiceFilter narrows ListServices.
type ServiceFilter struct {
	ClientID int64
	ServerID int64
	Module   string
	Status   string
	Query    string // matches username or domain
	// ExternalID matches the billing system's id exactly.
	ExternalID string
	// Order is OrderOldest (the default: by id) or OrderNewest (id descending).
	Order string
	Page
}

// List orders of ServiceFilter.Order.
const (
	OrderOldest = "oldest"
	OrderNewest = "newest"
)

// AdminPatch changes a staff account; nil fields stay.
type AdminPatch struct {
	Name         *string
	RoleID       *int64
	Active       *bool
	PasswordHash *string
}
