package links

import (
	"slices"
	"time"
)

// Staff permissions. The built-in Full Administrator role holds all of them.
const (
	PermConfigureApplicationLinks = "configure_application_links"
	PermManageServers             = "manage_servers"
	PermManageClients             = "manage_clients"
	PermManageAdmins              = "manage_admins"
	PermManageAPICredentials      = "manage_api_credentials"
	PermViewSSOEvents             = "view_sso_events"
	PermViewAuditLog              = "view_audit_log"
	PermManageWebhooks            = "manage_webhooks"
)

// AllPermissions lists every staff permission, in display order.
var AllPermissions = []string{
	PermConfigureApplicationLinks,
	PermManageServers,
	PermManageClients,
	PermManageAdmins,
	PermManageAPICredentials,
	PermViewSSOEvents,
	PermViewAuditLog,
	PermManageWebhooks,
}

// FullAdministrator is the name of the built-in role that holds every permission.
const FullAdministrator = "Full Administrator"

// Role is a named set of staff permissions.
type Role struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Permissions []string  `json:"permissions"`
	Builtin     bool      `json:"builtin"`
	CreatedAt   time.Time `json:"created_at"`
	// Admins is the number of staff accounts holding the role: a role is
	// deleted only when it is 0.
	Admins int64 `json:"admins"`
}

// Has reports whether the role grants the permission.
func (r Role) Has(perm string) bool { return slices.Contains(r.Permissions, perm) }

// Admin is a staff account.
type Admin struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	RoleID    int64     `json:"role_id"`
	Role      string    `json:"role"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	// Permissions are those of the admin's role.
	Permissions []string `json:"permissions"`
	// SessionVersion is carried in every staff token; a token of another
	// version is refused. Sign-out, a password, role or active change bump it.
	SessionVersion int64 `json:"-"`
}

// Can reports whether the admin holds the permission.
func (a Admin) Can(perm string) bool { return slices.Contains(a.Permissions, perm) }

// Server is a cPanel & WHM or WP Squared server. Its API token is write-only:
// it is never part of this type; HasToken tells whether one is stored.
type Server struct {
	ID        int64  `json:"id"`
	Module    string `json:"module"`
	Name      string `json:"name"`
	Hostname  string `json:"hostname"`
	Port      int    `json:"port"`
	Secure    bool   `json:"secure"`
	VerifyTLS bool   `json:"verify_tls"`
	Username  string `json:"username"`
	HasToken  bool   `json:"has_api_token"`
	Active    bool   `json:"active"`
	// SSOSources are the addresses (IPs or CIDR ranges) cPanel clicks may
	// come from; empty means any.
	SSOSources []string `json:"sso_sources"`
	// Detected by the last connection test or support check.
	Version       string     `json:"version"`
	Profile       string     `json:"profile"`
	SupportsLinks *bool      `json:"supports_links"`
	SupportReason string     `json:"support_reason"`
	CheckedAt     *time.Time `json:"checked_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	// Services counts the hosting accounts on this server.
	Services int64 `json:"services"`
}

// Client statuses.
const (
	ClientActive   = "Active"
	ClientInactive = "Inactive"
	ClientClosed   = "Closed"
)

// Client is a customer account of the billing system.
type Client struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	Status      string `json:"status"`
	AllowSSO    bool   `json:"allow_sso"`
	OwnerUserID int64  `json:"owner_user_id"`
	// ExternalID is the billing system's id of the client (null: none).
	ExternalID *string   `json:"external_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Membership permissions of a user on a client account.
const (
	UserPermSSO      = "sso" // Perform Single Sign-On
	UserPermProfile  = "profile"
	UserPermServices = "services"
	UserPermInvoices = "invoices"
	UserPermTickets  = "tickets"
	UserPermDomains  = "domains"
)

// AllUserPermissions lists every permission a user may hold on an account.
var AllUserPermissions = []string{UserPermSSO, UserPermProfile, UserPermServices, UserPermInvoices, UserPermTickets, UserPermDomains}

// User is a client-area login. One user may belong to several clients.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// SessionVersion is carried in every client-area session; a session of
	// another version is refused. Sign-out bumps it.
	SessionVersion int64 `json:"-"`
}

// Membership is a user's place on a client account.
type Membership struct {
	ClientID    int64    `json:"client_id"`
	UserID      int64    `json:"user_id"`
	Owner       bool     `json:"owner"`
	Permissions []string `json:"permissions"`
	User        User     `json:"user"`
}

// Has reports whether the membership grants the permission. The owner holds
// every permission, always.
func (m Membership) Has(perm string) bool { return m.Owner || slices.Contains(m.Permissions, perm) }

// Service statuses.
const (
	ServicePending    = "Pending"
	ServiceActive     = "Active"
	ServiceSuspended  = "Suspended"
	ServiceTerminated = "Terminated"
	ServiceCancelled  = "Cancelled"
)

// ServiceStatuses lists every service status.
var ServiceStatuses = []string{ServicePending, ServiceActive, ServiceSuspended, ServiceTerminated, ServiceCancelled}

// Service is a hosting account on a server.
type Service struct {
	ID       int64  `json:"id"`
	ClientID int64  `json:"client_id"`
	ServerID int64  `json:"server_id"`
	Module   string `json:"module"`
	Username string `json:"username"`
	Domain   string `json:"domain"`
	Status   string `json:"status"`
	// ExternalID is the billing system's id of the service (null: none).
	ExternalID *string   `json:"external_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// StatusQualifies reports whether a service in this status carries links.
func StatusQualifies(status string) bool {
	return status == ServiceActive || status == ServiceSuspended
}

// Qualifies reports whether the service gets links, given whether its server
// is active: Active or Suspended, with a username, on an active server.
func (s Service) Qualifies(serverActive bool) bool {
	return StatusQualifies(s.Status) && s.Username != "" && serverActive
}

// Page asks for one page of a list.
type Page struct {
	Page    int
	PerPage int
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Page - 1) * p.PerPage }

// IsPermission reports whether p is a staff permission.
func IsPermission(p string) bool { return slices.Contains(AllPermissions, p) }
