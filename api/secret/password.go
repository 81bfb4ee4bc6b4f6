package secret

import (
	"golang.org/x/crypto/bcrypt"
)

// dummyHash is compared against when an account does not exist, so that a
// login for an unknown e-mail takes as long as one with a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("applinks-dummy-password"), bcrypt.DefaultCost)

// HashPassword returns the bcrypt hash of a password at the given cost. A
// cost below bcrypt.MinCost (zero: the caller's configuration left it
// unset) is bcrypt.DefaultCost, what the service uses; tests pass
// bcrypt.MinCost to stay fast.
func HashPassword(password string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	return string(h), err
}

// CheckPassword reports whether password matches hash. With an empty hash
// (unknown account) it still spends the time of one comparison.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
