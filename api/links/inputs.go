package links

import (
	"fmt"
	"net"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	hostnameRE      = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)
	panelUserRE     = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	accountUserRE   = regexp.MustCompile(`^[a-z][a-z0-9]{0,15}$`)
	domainRE        = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	maxNameLength   = 190
	maxTokenLength  = 4096
	minPasswordSize = 8
)

// ValidateHostname accepts a bare host name or IP address: no scheme, port,
// path or credentials, so that an outbound call can only go where it says.
func ValidateHostname(field, host string) error {
	if host == "" {
		return FieldError(field, "The hostname is required.")
	}
	if len(host) > 253 {
		return FieldError(field, "The hostname must be at most 253 characters long.")
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		return nil
	}
	if !hostnameRE.MatchString(host) {
		return FieldError(field, "The hostname must be a host name or IP address only (no scheme, port, path or credentials), e.g. cp1.example.com.")
	}
	return nil
}

// ValidateName checks a display name: 1 to 190 characters of valid UTF-8
// text without control characters (a NUL or a line break in a name is never
// meant and breaks logs and panels).
func ValidateName(field, name string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	what := strings.ReplaceAll(field, "_", " ")
	switch {
	case n == 0:
		return FieldError(field, "The %s is required.", what)
	case utf8.RuneCountInString(name) > maxNameLength:
		return FieldError(field, "The %s must be at most %d characters long.", what, maxNameLength)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return FieldError(field, "The %s must be plain text, without control characters.", what)
	}
	return nil
}

// ValidateEmail accepts one plain e-mail address.
func ValidateEmail(field, email string) error {
	if email == "" {
		return FieldError(field, "The e-mail address is required.")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > maxNameLength {
		return FieldError(field, "The e-mail address %q is not valid.", email)
	}
	return nil
}

// ValidatePassword checks a new password.
func ValidatePassword(field, password string) error {
	switch {
	case utf8.RuneCountInString(password) < minPasswordSize:
		return FieldError(field, "The password must be at least %d characters long.", minPasswordSize)
	case len(password) > 72:
		return FieldError(field, "The password must be at most 72 bytes long.")
	}
	return nil
}

// ServerInput creates a server.
type ServerInput struct {
	Module    string `json:"module"`
	Name      string `json:"name"`
	Hostname  string `json:"hostname"`
	Port      *int   `json:"port,omitempty"`
	Secure    *bool  `json:"secure,omitempty"`
	VerifyTLS *bool  `json:"verify_tls,omitempty"`
	Username  string `json:"username,omitempty"`
	APIToken  string `json:"api_token"`
	Active    *bool  `json:"active,omitempty"`
	// SSOSources lists the addresses (IPs or CIDR ranges) cPanel clicks
	// may come from; empty or absent means any. See NormalizeSSOSources.
	SSOSources []string `json:"sso_sources,omitempty"`
}

// Normalize fills the defaults: port 2087 (2086 when not secure), secure and
// TLS verification on, active, user root.
func (in *ServerInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Hostname = strings.ToLower(strings.TrimSpace(in.Hostname))
	in.APIToken = strings.TrimSpace(in.APIToken)
	t := true
	if in.Secure == nil {
		in.Secure = &t
	}
	if in.VerifyTLS == nil {
		in.VerifyTLS = &t
	}
	if in.Active == nil {
		in.Active = &t
	}
	if in.Username == "" {
		in.Username = "root"
	}
	if in.SSOSources == nil {
		in.SSOSources = []string{}
	}
	if in.Port == nil {
		p := 2087
		if !*in.Secure {
			p = 2086
		}
		in.Port = &p
	}
}

// Validate checks a normalized ServerInput and normalises its SSO source
// addresses.
func (in *ServerInput) Validate() error {
	if _, err := ApplicationByModule(in.Module); err != nil {
		return FieldError("module", "Unknown module %q: use cpanel or wpsquared.", in.Module)
	}
	if err := ValidateName("name", in.Name); err != nil {
		return err
	}
	if err := ValidateHostname("hostname", in.Hostname); err != nil {
		return err
	}
	if err := validatePort(*in.Port); err != nil {
		return err
	}
	if !panelUserRE.MatchString(in.Username) {
		return FieldError("username", "The username must be root or a reseller name (lowercase letters, digits, _ and -).")
	}
	if err := validateAPIToken(in.APIToken, true); err != nil {
		return err
	}
	return in.normalizeSources()
}

func (in *ServerInput) normalizeSources() error {
	list, err := NormalizeSSOSources("sso_sources", in.SSOSources)
	if err == nil {
		in.SSOSources = list
	}
	return err
}

func validatePort(p int) error {
	if p < 1 || p > 65535 {
		return FieldError("port", "The port must be between 1 and 65535.")
	}
	return nil
}

func validateAPIToken(token string, required bool) error {
	switch {
	case token == "" && required:
		return FieldError("api_token", "The API token is required: create one in WHM under Development > Manage API Tokens.")
	case len(token) > maxTokenLength:
		return FieldError("api_token", "The API token must be at most %d characters long.", maxTokenLength)
	case strings.ContainsAny(token, " \t\r\n:"):
		return FieldError("api_token", "The API token must not contain spaces, line breaks or colons.")
	case strings.ContainsFunc(token, func(r rune) bool { return r < 0x21 || r > 0x7e }):
		return FieldError("api_token", "The API token must be printable ASCII, as WHM shows it (copy it again from Manage API Tokens).")
	}
	return nil
}

// ServerPatch changes some fields of a server; nil fields stay as they are.
// An empty api_token keeps the stored one, unless the patch changes where or
// how the server is reached (see CheckReach).
type ServerPatch struct {
	Name      *string `json:"name,omitempty"`
	Hostname  *string `json:"hostname,omitempty"`
	Port      *int    `json:"port,omitempty"`
	Secure    *bool   `json:"secure,omitempty"`
	VerifyTLS *bool   `json:"verify_tls,omitempty"`
	Username  *string `json:"username,omitempty"`
	APIToken  *string `json:"api_token,omitempty"`
	Active    *bool   `json:"active,omitempty"`
	// SSOSources replaces the list of SSO source addresses when present
	// (an empty list allows any source); absent or null keeps it. It does
	// not change where the API token is sent, so it needs no api_token.
	SSOSources []string `json:"sso_sources,omitempty"`
}

// Validate checks the fields that are set.
func (p *ServerPatch) Validate() error {
	if p.Name != nil {
		*p.Name = strings.TrimSpace(*p.Name)
		if err := ValidateName("name", *p.Name); err != nil {
			return err
		}
	}
	if p.Hostname != nil {
		*p.Hostname = strings.ToLower(strings.TrimSpace(*p.Hostname))
		if err := ValidateHostname("hostname", *p.Hostname); err != nil {
			return err
		}
	}
	if p.Port != nil {
		if err := validatePort(*p.Port); err != nil {
			return err
		}
	}
	if p.Username != nil && !panelUserRE.MatchString(*p.Username) {
		return FieldError("username", "The username must be root or a reseller name (lowercase letters, digits, _ and -).")
	}
	if p.APIToken != nil {
		*p.APIToken = strings.TrimSpace(*p.APIToken)
		if *p.APIToken == "" {
			p.APIToken = nil
		} else if err := validateAPIToken(*p.APIToken, false); err != nil {
			return err
		}
	}
	if p.SSOSources != nil {
		list, err := NormalizeSSOSources("sso_sources", p.SSOSources)
		if err != nil {
			return err
		}
		p.SSOSources = list
	}
	return nil
}

// ReachField returns the first field of p that changes where or how cur is
// reached (hostname, port, secure, verify_tls, username), or "" when none does.
func (p *ServerPatch) ReachField(cur Server) string {
	switch {
	case p.Hostname != nil && *p.Hostname != cur.Hostname:
		return "hostname"
	case p.Port != nil && *p.Port != cur.Port:
		return "port"
	case p.Secure != nil && *p.Secure != cur.Secure:
		return "secure"
	case p.VerifyTLS != nil && *p.VerifyTLS != cur.VerifyTLS:
		return "verify_tls"
	case p.Username != nil && *p.Username != cur.Username:
		return "username"
	}
	return ""
}

// CheckReach refuses a validated patch that changes where or how cur is
// reached without a new API token. The stored token is only ever sent to the
// address, scheme and user it was entered for: otherwise a role that may edit
// servers could point one at a listener of its own and capture the token.
func (p *ServerPatch) CheckReach(cur Server) error {
	if p.APIToken != nil {
		return nil
	}
	if f := p.ReachField(cur); f != "" {
		return &Error{Code: EUNPROCESSABLE, Field: "api_token", Message: fmt.Sprintf(
			"Changing %s changes where or how the API token is sent: enter the API token again in the same request.", f)}
	}
	return nil
}

// OwnerInput is the owner created with a new client.
type OwnerInput struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// Validate checks an owner or user to create.
func (in *OwnerInput) Validate(prefix string) error {
	in.Email = strings.TrimSpace(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if err := ValidateEmail(prefix+"email", in.Email); err != nil {
		return err
	}
	if err := ValidateName(prefix+"name", in.Name); err != nil {
		return err
	}
	return ValidatePassword(prefix+"password", in.Password)
}

// ClientInput creates a client with its owner: a new user (Owner) or an
// existing one (OwnerUserID).
type ClientInput struct {
	Name        string      `json:"name"`
	Email       string      `json:"email"`
	Status      string      `json:"status,omitempty"`
	AllowSSO    *bool       `json:"allow_sso,omitempty"`
	Owner       *OwnerInput `json:"owner,omitempty"`
	OwnerUserID int64       `json:"owner_user_id,omitempty"`
	// ExternalID is the billing system's id, unique among clients; empty
	// for none.
	ExternalID string `json:"external_id,omitempty"`
}

var clientStatuses = []string{ClientActive, ClientInactive, ClientClosed}

// Validate normalizes and checks a ClientInput.
func (in *ClientInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	if in.Status == "" {
		in.Status = ClientActive
	}
	if in.AllowSSO == nil {
		t := true
		in.AllowSSO = &t
	}
	if err := ValidateName("name", in.Name); err != nil {
		return err
	}
	if err := ValidateEmail("email", in.Email); err != nil {
		return err
	}
	if !slices.Contains(clientStatuses, in.Status) {
		return FieldError("status", "The status must be one of Active, Inactive, Closed.")
	}
	if err := validateOptionalExternalID("external_id", in.ExternalID); err != nil {
		return err
	}
	switch {
	case in.Owner == nil && in.OwnerUserID == 0:
		return FieldError("owner", "Give the account owner: owner {email, name, password} or owner_user_id of an existing user.")
	case in.Owner != nil && in.OwnerUserID != 0:
		return FieldError("owner", "Give either owner or owner_user_id, not both.")
	case in.Owner != nil:
		return in.Owner.Validate("owner.")
	case in.OwnerUserID < 0:
		return FieldError("owner_user_id", "The owner_user_id must be a positive user id.")
	}
	return nil
}

// ClientPatch changes some fields of a client.
type ClientPatch struct {
	Name     *string `json:"name,omitempty"`
	Email    *string `json:"email,omitempty"`
	Status   *string `json:"status,omitempty"`
	AllowSSO *bool   `json:"allow_sso,omitempty"`
	// ExternalID sets the billing system's id; "" removes it.
	ExternalID *string `json:"external_id,omitempty"`
}

// Validate checks the fields that are set.
func (p *ClientPatch) Validate() error {
	if p.Name != nil {
		*p.Name = strings.TrimSpace(*p.Name)
		if err := ValidateName("name", *p.Name); err != nil {
			return err
		}
	}
	if p.Email != nil {
		*p.Email = strings.TrimSpace(*p.Email)
		if err := ValidateEmail("email", *p.Email); err != nil {
			return err
		}
	}
	if p.Status != nil && !slices.Contains(clientStatuses, *p.Status) {
		return FieldError("status", "The status must be one of Active, Inactive, Closed.")
	}
	if p.ExternalID != nil {
		return validateOptionalExternalID("external_id", *p.ExternalID)
	}
	return nil
}

// ValidateUserPermissions checks a list of account permissions.
func ValidateUserPermissions(field string, perms []string) error {
	for _, p := range perms {
		if !slices.Contains(AllUserPermissions, p) {
			return FieldError(field, "Unknown permission %q: use any of %s.", p, strings.Join(AllUserPermissions, ", "))
		}
	}
	return nil
}

// ClientUserInput adds a user to a client: a new user, or an existing one by
// user_id. Permissions default to all of them.
type ClientUserInput struct {
	UserID      int64    `json:"user_id,omitempty"`
	Email       string   `json:"email,omitempty"`
	Name        string   `json:"name,omitempty"`
	Password    string   `json:"password,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

// Validate normalizes and checks a ClientUserInput.
func (in *ClientUserInput) Validate() error {
	if in.Permissions == nil {
		in.Permissions = slices.Clone(AllUserPermissions)
	}
	if err := ValidateUserPermissions("permissions", in.Permissions); err != nil {
		return err
	}
	if in.UserID != 0 {
		if in.Email != "" || in.Password != "" {
			return FieldError("user_id", "Give either user_id of an existing user or email, name and password of a new one, not both.")
		}
		return nil
	}
	o := OwnerInput{Email: in.Email, Name: in.Name, Password: in.Password}
	if err := o.Validate(""); err != nil {
		return err
	}
	in.Email, in.Name = o.Email, o.Name
	return nil
}

// MembershipPatch changes a user's permissions on a client.
type MembershipPatch struct {
	Permissions []string `json:"permissions"`
}

// Validate checks that the permissions are given (an empty list revokes
// all) and known.
func (p MembershipPatch) Validate() error {
	if p.Permissions == nil {
		return FieldError("permissions", "Give the permissions as a list, e.g. [\"sso\"]; an empty list revokes all.")
	}
	return ValidateUserPermissions("permissions", p.Permissions)
}

// ServiceInput creates a hosting account.
type ServiceInput struct {
	ClientID int64  `json:"client_id"`
	ServerID int64  `json:"server_id"`
	Username string `json:"username,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Status   string `json:"status,omitempty"`
	// ExternalID is the billing system's id, unique among services; empty
	// for none.
	ExternalID string `json:"external_id,omitempty"`
}

// Validate normalizes and checks a ServiceInput.
func (in *ServiceInput) Validate() error {
	in.Username = strings.TrimSpace(in.Username)
	in.Domain = strings.ToLower(strings.TrimSpace(in.Domain))
	if in.Status == "" {
		in.Status = ServicePending
	}
	if in.ClientID <= 0 {
		return FieldError("client_id", "The client_id is required.")
	}
	if in.ServerID <= 0 {
		return FieldError("server_id", "The server_id is required.")
	}
	if err := validateOptionalExternalID("external_id", in.ExternalID); err != nil {
		return err
	}
	return ValidateServiceFields(&in.Username, &in.Domain, &in.Status)
}

// ValidateServiceFields checks a service's username, domain and status;
// nil pointers are not checked.
func ValidateServiceFields(username, domain, status *string) error {
	if username != nil && *username != "" && !accountUserRE.MatchString(*username) {
		return FieldError("username", "The username must be a cPanel account name: a lowercase letter, then up to 15 lowercase letters or digits.")
	}
	if domain != nil && *domain != "" && (len(*domain) > 253 || !domainRE.MatchString(*domain)) {
		return FieldError("domain", "The domain %q is not a valid domain name.", *domain)
	}
	if status != nil && !slices.Contains(ServiceStatuses, *status) {
		return FieldError("status", "The status must be one of %s.", strings.Join(ServiceStatuses, ", "))
	}
	if status != nil && username != nil && StatusQualifies(*status) && *username == "" {
		return FieldError("username", "An Active or Suspended service needs its cPanel username.")
	}
	return nil
}

// ServicePatch changes some fields of a service. Changing server_id moves the
// account to another server.
type ServicePatch struct {
	ServerID *int64  `json:"server_id,omitempty"`
	Username *string `json:"username,omitempty"`
	Domain   *string `json:"domain,omitempty"`
	Status   *string `json:"status,omitempty"`
	// ExternalID sets the billing system's id; "" removes it.
	ExternalID *string `json:"external_id,omitempty"`
}

// Validate checks the fields that are set.
func (p *ServicePatch) Validate() error {
	if p.Username != nil {
		*p.Username = strings.TrimSpace(*p.Username)
	}
	if p.Domain != nil {
		*p.Domain = strings.ToLower(strings.TrimSpace(*p.Domain))
	}
	if p.ServerID != nil && *p.ServerID <= 0 {
		return FieldError("server_id", "The server_id must be a positive server id.")
	}
	if p.ExternalID != nil {
		if err := validateOptionalExternalID("external_id", *p.ExternalID); err != nil {
			return err
		}
	}
	return ValidateServiceFields(p.Username, p.Domain, p.Status)
}
