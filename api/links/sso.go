package links

import "time"

// Single sign-on sources: where a token or session request came from.
const (
	SSOSourceCPanel = "cpanel" // a click on a link inside cPanel or WP Squared
	SSOSourceAPI    = "api"    // a trusted application with an API credential
	SSOSourcePortal = "portal" // the client area ("Log in to cPanel")
	// SSOSourceUnknown is the source of a redemption of a token this
	// service does not know (forged, mistyped, or purged long ago).
	SSOSourceUnknown = "unknown"
)

// SSO event kinds.
const (
	SSOKindIssue   = "issue"   // a token was asked for
	SSOKindRedeem  = "redeem"  // a token was presented to start a session
	SSOKindSession = "session" // a session into a panel was asked for
	// SSOKindEmailChange: someone tried to make the user's sign-in e-mail
	// theirs (recorded refused, on every account of the address's holder).
	SSOKindEmailChange = "email_change"
)

// SSO event outcomes.
const (
	SSOSuccess = "success"
	SSORefused = "refused"
)

// SSO refusal reasons. They travel in events, in the JSON errors of the SSO
// endpoints ("reason") and in the login page's error query parameter, which
// the client area turns into words.
const (
	SSOReasonBadCredentials     = "invalid_credentials"       // wrong or missing subscriber id or token
	SSOReasonClientClosed       = "client_closed"             // the account is Closed
	SSOReasonSSODisabled        = "sso_disabled"              // the account's allow_sso is off
	SSOReasonServiceInactive    = "service_inactive"          // the service no longer qualifies for links
	SSOReasonNoPermission       = "no_sso_permission"         // the user lacks the sso permission
	SSOReasonNoPagePermission   = "no_destination_permission" // the user lacks the permission of the destination's page (ClientAreaRules)
	SSOReasonUserNotOnClient    = "user_not_on_client"        // the user does not belong to the account
	SSOReasonInvalidClient      = "invalid_client"            // the account does not exist
	SSOReasonInvalidUser        = "invalid_user"              // the user does not exist
	SSOReasonInvalidService     = "invalid_service"           // the service does not exist or is not the account's
	SSOReasonInvalidDestination = "invalid_destination"       // unknown destination or unsafe redirect path
	SSOReasonInvalidToken       = "invalid_token"             // unknown or malformed access token
	SSOReasonExpiredToken       = "expired_token"             // the access token expired
	SSOReasonUsedToken          = "used_token"                // the access token was already used
	SSOReasonPanelError         = "panel_error"               // the panel refused or did not answer
	SSOReasonUnavailable        = "unavailable"               // the database was briefly unavailable
	SSOReasonRateLimited        = "rate_limited"              // too many attempts
	SSOReasonBadRequest         = "invalid_request"           // a malformed request
	SSOReasonCredentialRevoked  = "credential_forbidden"      // the API credential may not create tokens
	// SSOReasonSwitchDeclined ends a token whose redemption would have
	// replaced another user's client-area session and whose user chose to
	// stay signed in as that other user (login-CSRF defence).
	SSOReasonSwitchDeclined  = "switch_declined"
	SSOReasonForbiddenSource = "forbidden_source" // the click came from an address off the server's list
	SSOReasonEmailInUse      = "email_in_use"     // an e-mail change asked for an address another user signs in with
)

// Destinations beyond the catalogue keys that trusted applications may ask for.
const (
	DestinationHome     = "home"     // the client area's home page
	DestinationServices = "services" // the list of services
	DestinationCustom   = "custom"   // a relative path given as redirect_path
)

// SSOToken is a single sign-on token as stored: only its hash, bound to one
// user, account, destination and issuer, valid until ExpiresAt and only once.
type SSOToken struct {
	ID           int64
	Hash         string
	UserID       int64
	ClientID     int64
	ServiceID    int64 // 0 when the token is not about one service
	Destination  string
	RedirectPath string // the path of a custom destination
	Issuer       string // "cpanel:server:<id>", "api:<credential id>"
	ExpiresAt    time.Time
	UsedAt       *time.Time
	CreatedAt    time.Time
}

// SSOClickTarget is what a cPanel click resolves to through the link
// credential's public subscriber id: the secret's hash to verify, the
// service, whether its server is active, the server's SSO source addresses
// (empty: any) and the client.
type SSOClickTarget struct {
	TokenHash string
	// PrevTokenHash is the token before the latest rotation ('' when
	// none): accepted too while the rotation is pending, and for the
	// rotation grace after PrevConfirmedAt.
	PrevTokenHash string
	// UnconfirmedHashes are the tokens rotations replaced before the panel
	// confirmed any (a request may have carried one there): accepted as
	// PrevTokenHash is.
	UnconfirmedHashes []string
	// PrevConfirmedAt is when the panel confirmed the rotation; nil while
	// it is pending.
	PrevConfirmedAt *time.Time
	Service         Service
	ServerActive    bool
	SSOSources      []string
	Client          Client
}

// SSOEvent is one line of the single sign-on audit: every issue, redemption
// and refusal.
type SSOEvent struct {
	ID           int64     `json:"id"`
	Time         time.Time `json:"time"`
	Kind         string    `json:"kind"`
	UserID       *int64    `json:"user_id"`
	ClientID     *int64    `json:"client_id"`
	ServiceID    *int64    `json:"service_id"`
	Source       string    `json:"source"`
	ServerID     *int64    `json:"server_id"`
	CredentialID *int64    `json:"credential_id"`
	Destination  string    `json:"destination"`
	Outcome      string    `json:"outcome"`
	Reason       string    `json:"reason"`
	IP           string    `json:"ip"`
}

// SSOEventFilter narrows ListSSOEvents.
type SSOEventFilter struct {
	ClientID int64
	UserID   int64
	Outcome  string
	Source   string
	Page
}

// API credential permissions.
const (
	CredPermCreateSSOToken = "create_sso_token"
)

// AllCredentialPermissions lists every permission an API credential may hold.
var AllCredentialPermissions = []string{CredPermCreateSSOToken}

// APICredential is a trusted application. Its secret is shown once, when it
// is created, and stored only as a hash.
type APICredential struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Identifier  string     `json:"identifier"`
	Permissions []string   `json:"permissions"`
	CreatedBy   int64      `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	LastUsedAt  *time.Time `json:"last_used_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
}

// Has reports whether the credential grants the permission.
func (c APICredential) Has(perm string) bool {
	for _, p := range c.Permissions {
		if p == perm {
			return true
		}
	}
	return false
}

// SSOTokenRequest is a trusted application's CreateSsoToken call.
type SSOTokenRequest struct {
	ClientID     int64  `json:"client_id"`
	UserID       int64  `json:"user_id,omitempty"`
	Destination  string `json:"destination"`
	RedirectPath string `json:"redirect_path,omitempty"`
	ServiceID    int64  `json:"service_id,omitempty"`
}

// SSOTokenAnswer is a token for a trusted application to send the user to.
type SSOTokenAnswer struct {
	AccessToken string    `json:"access_token"`
	RedirectURL string    `json:"redirect_url"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// NewAPICredential is a created API credential with its secret, shown once.
type NewAPICredential struct {
	APICredential
	Secret string `json:"secret"`
}
