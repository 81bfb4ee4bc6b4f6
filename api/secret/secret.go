// Package secret provides the cryptography the service keeps its secrets
// with: AES-256-GCM sealing of secrets that must be read back (server API
// tokens, link tokens pushed to panels), random URL-safe tokens, and one-way
// hashes for secrets that only need to be verified (SSO tokens, API
// credential secrets).
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of the master key in bytes (AES-256).
const KeySize = 32

// Box seals and opens secrets with AES-256-GCM under one master key. Each
// sealed value carries its own random nonce; the output is base64 text with a
// version prefix so that the scheme can change later.
type Box struct {
	aead cipher.AEAD
	key  []byte
}

const sealedPrefix = "v1:"

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, key: append([]byte(nil), key...)}, nil
}

// ParseKey decodes a master key given as 64 hex characters or as standard or
// URL-safe base64 of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == KeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, errors.New("secret key must be 32 bytes, written as 64 hex characters or base64")
}

// Seal encrypts plaintext. additional binds the ciphertext to its context
// (e.g. "server:12:api_token"), so that a sealed value copied to another row
// does not open.
func (b *Box) Seal(plaintext, additional string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(additional))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts a value produced by Seal with the same additional data.
func (b *Box) Open(sealed, additional string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", errors.New("sealed secret has an unknown format")
	}
	data, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil {
		return "", errors.New("sealed secret is not valid base64")
	}
	n := b.aead.NonceSize()
	if len(data) < n {
		return "", errors.New("sealed secret is too short")
	}
	plain, err := b.aead.Open(nil, data[:n], data[n:], []byte(additional))
	if err != nil {
		return "", errors.New("sealed secret does not open with this key (wrong APPLINKS_SECRET_KEY or tampered value)")
	}
	return string(plain), nil
}

// Derive returns a 32-byte key for a named purpose, derived from the master
// key with HMAC-SHA256, so one configured secret can serve several uses.
func (b *Box) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte("applinks:" + purpose))
	return m.Sum(nil)
}

// Token returns n random bytes encoded as unpadded URL-safe base64.
func Token(n int) (string, error) {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// Hash returns the hex SHA-256 of a high-entropy secret (a random token). It
// is fit only for secrets with at least 128 bits of entropy, never for
// passwords.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Equal compares two strings in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
