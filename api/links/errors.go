// Package links holds the domain of application links: the types every other
// package speaks (servers, clients, services, operations, panels), the link
// catalogue, validation rules and the error type with its closed set of codes.
//
// It imports nothing of this project, so that storage, the WHM client, the
// provisioning engine and the REST layer can all depend on it and never on
// each other.
//
// Input types are checked by their Validate methods. The types carry json
// tags only (and examples where they are a webhook or hand-off payload): the
// JSON API's request and answer types, with their swag tags, are the REST
// layer's (api/rest/*_wire.go), converted to and from these.
package links

import (
	"errors"
	"fmt"
)

// Error codes. The REST layer maps each to one HTTP status in one place.
const (
	EINVALID       = "invalid"       // the caller sent something wrong: 400
	EUNPROCESSABLE = "unprocessable" // valid fields that the stored state cannot take (a re-pointed server without its token): 422
	ENOTFOUND      = "not_found"     // the thing does not exist: 404
	ECONFLICT      = "conflict"      // the thing clashes with the current state: 409
	EUNAUTHORIZED  = "unauthorized"  // no or bad credentials: 401
	EFORBIDDEN     = "forbidden"     // authenticated but not allowed: 403
	EUNAVAILABLE   = "unavailable"   // a dependency is briefly down: 503
	ERATELIMITED   = "rate_limited"  // too many attempts: 429
	EINTERNAL      = "internal"      // a bug or an unexpected failure: 500
)

// Error is the one error type that crosses package boundaries with a code the
// REST layer understands. Message is safe to show to the caller; Field names
// the offending input field for validation errors.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an invalid-input error that names the field to fix.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err when it is (or wraps) an *Error, and
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err. Errors that are not an
// *Error carry internal detail and get a generic message instead.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Optional turns a lookup's not-found error into a nil result, for a caller
// to which absence is an ordinary answer (no open progress row, no
// operation yet). Any other error passes through.
func Optional[T any](v *T, err error) (*T, error) {
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	}
	return v, err
}

// Count writes n with its noun for a message, plural unless n is 1
// ("1 account", "3 accounts"); the nouns of the messages take an s.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ServerDeactivated refuses work on a deactivated server (an intent checks
// it, and the store again when it queues the intent's operation).
func ServerDeactivated(name string) *Error {
	return Errorf(ECONFLICT, "Server %s is deactivated: activate it first.", name)
}
