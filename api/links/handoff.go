package links

import "time"

// HandoffParam is the query parameter that carries the signed assertion to
// a link's external target.
const HandoffParam = "applinks_assertion"

// Assertion is what a signed hand-off tells the external target: who was
// signed in, on which account and service, for which link. The signer adds
// the issuer, the times and a unique id.
type Assertion struct {
	Audience          string // the target's origin
	UserID            int64
	Email             string
	ClientID          int64
	ClientExternalID  string
	ServiceID         int64
	ServiceExternalID string
	Destination       string
}

// SigningKey is an Ed25519 key pair that signs hand-off assertions.
// PrivateKey is the 32-byte seed; it is sealed before it reaches a row and
// never leaves the process.
type SigningKey struct {
	KID        string
	PublicKey  []byte
	PrivateKey []byte
	CreatedAt  time.Time
	// RetiredAt is when a rotation replaced the key (nil while it signs);
	// a retired key stays published for SigningKeyGrace.
	RetiredAt *time.Time
}

// SigningKeyGrace is how long a rotated key stays published, so that
// assertions it signed, and relying parties' cached key sets, stay good.
const SigningKeyGrace = 24 * time.Hour

// SigningKeyInfo is what staff see of a signing key: never its private half.
type SigningKeyInfo struct {
	KID       string     `json:"kid"`
	Active    bool       `json:"active"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at"`
}

// Info returns what staff see of the key.
func (k SigningKey) Info() SigningKeyInfo {
	return SigningKeyInfo{KID: k.KID, Active: k.RetiredAt == nil, CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt}
}
