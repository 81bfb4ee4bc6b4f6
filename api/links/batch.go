package links

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxBatchItems is the most items one batch request may carry.
const MaxBatchItems = 1000

// maxExternalID is the longest external id, in characters.
const maxExternalID = 190

// Results of one batch item.
const (
	BatchCreated   = "created"
	BatchUpdated   = "updated"
	BatchUnchanged = "unchanged"
	BatchError     = "error"
)

// ValidateExternalID checks a billing system's id: 1 to 190 printable
// characters, without leading or trailing spaces (ids are compared exactly,
// and a space that cannot be seen would make two ids look alike).
func ValidateExternalID(field, id string) error {
	switch {
	case id == "":
		return FieldError(field, "The %s is required.", field)
	case !utf8.ValidString(id) || utf8.RuneCountInString(id) > maxExternalID:
		return FieldError(field, "The %s must be at most %d characters of UTF-8 text.", field, maxExternalID)
	case strings.TrimSpace(id) != id:
		return FieldError(field, "The %s must not start or end with spaces.", field)
	case strings.ContainsFunc(id, func(r rune) bool { return !unicode.IsPrint(r) }):
		return FieldError(field, "The %s must be printable text, without control characters or line breaks.", field)
	}
	return nil
}

// validateOptionalExternalID is ValidateExternalID where "" means none.
func validateOptionalExternalID(field, id string) error {
	if id == "" {
		return nil
	}
	return ValidateExternalID(field, id)
}

// BatchOwnerInput is the owner of a client a batch creates: an existing user
// with this e-mail, or a new one. Without a password, a new user can sign in
// only by single sign-on (they may set one later in the client area).
type BatchOwnerInput struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password,omitempty"`
}

// ClientBatchItem is one client of PUT /clients:batch, upserted by its
// external_id. Status and allow_sso left out keep their value (Active and
// true for a new client); owner is needed only to create.
type ClientBatchItem struct {
	ExternalID string           `json:"external_id"`
	Name       string           `json:"name"`
	Email      string           `json:"email"`
	Status     string           `json:"status,omitempty"`
	AllowSSO   *bool            `json:"allow_sso,omitempty"`
	Owner      *BatchOwnerInput `json:"owner,omitempty"`
}

// Validate normalizes and checks an item on its own; field names are
// relative to the item.
func (in *ClientBatchItem) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	if err := ValidateExternalID("external_id", in.ExternalID); err != nil {
		return err
	}
	if err := ValidateName("name", in.Name); err != nil {
		return err
	}
	if err := ValidateEmail("email", in.Email); err != nil {
		return err
	}
	if in.Status != "" && !slices.Contains(clientStatuses, in.Status) {
		return FieldError("status", "The status must be one of Active, Inactive, Closed.")
	}
	if in.Owner == nil {
		return nil
	}
	o := in.Owner
	o.Email, o.Name = strings.TrimSpace(o.Email), strings.TrimSpace(o.Name)
	if err := ValidateEmail("owner.email", o.Email); err != nil {
		return err
	}
	if err := ValidateName("owner.name", o.Name); err != nil {
		return err
	}
	if o.Password != "" {
		return ValidatePassword("owner.password", o.Password)
	}
	return nil
}

// ServiceBatchItem is one service of PUT /services:batch, upserted by its
// external_id. The client is named by client_external_id or client_id.
// Username and domain are the account's whole state ("" for none); status
// left out keeps its value (Pending for a new service).
type ServiceBatchItem struct {
	ExternalID       string `json:"external_id"`
	ClientExternalID string `json:"client_external_id,omitempty"`
	ClientID         int64  `json:"client_id,omitempty"`
	ServerID         int64  `json:"server_id"`
	Username         string `json:"username,omitempty"`
	Domain           string `json:"domain,omitempty"`
	Status           string `json:"status,omitempty"`
}

// Validate normalizes and checks an item on its own; field names are
// relative to the item.
func (in *ServiceBatchItem) Validate() error {
	in.Username = strings.TrimSpace(in.Username)
	in.Domain = strings.ToLower(strings.TrimSpace(in.Domain))
	if err := ValidateExternalID("external_id", in.ExternalID); err != nil {
		return err
	}
	switch {
	case in.ClientExternalID != "" && in.ClientID != 0:
		return FieldError("client_external_id", "Give either client_external_id or client_id, not both.")
	case in.ClientExternalID != "":
		if err := ValidateExternalID("client_external_id", in.ClientExternalID); err != nil {
			return err
		}
	case in.ClientID <= 0:
		return FieldError("client_external_id", "Give the client: client_external_id, or client_id.")
	}
	if in.ServerID <= 0 {
		return FieldError("server_id", "The server_id is required.")
	}
	var status *string
	if in.Status != "" {
		status = &in.Status
	}
	return ValidateServiceFields(&in.Username, &in.Domain, status)
}

// BatchItemError says why one item was not applied; field is the item's
// field to fix, as items[i].field.
type BatchItemError struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// BatchItemResult is what happened to one item of a batch.
type BatchItemResult struct {
	Index      int    `json:"index"`
	ExternalID string `json:"external_id"`
	Result     string `json:"result"`
	// ID is the client's or service's id; null for an item in error.
	ID    *int64          `json:"id"`
	Error *BatchItemError `json:"error"`
}

// BatchResult answers a batch: one result per item, in order, and whether
// the valid items were applied (all of them, in one transaction) or none.
type BatchResult struct {
	Applied   bool              `json:"applied"`
	Created   int               `json:"created"`
	Updated   int               `json:"updated"`
	Unchanged int               `json:"unchanged"`
	Errors    int               `json:"errors"`
	Items     []BatchItemResult `json:"items"`
}

// ItemError makes the error result of item i from err: a *Error keeps its
// code and message and its field is prefixed with items[i]; any other error
// is internal.
func ItemError(i int, externalID string, err error) BatchItemResult {
	prefix := fmt.Sprintf("items[%d]", i)
	e := &Error{Code: EINTERNAL, Message: "Internal error."}
	var le *Error
	if errors.As(err, &le) {
		e = le
	}
	field := prefix
	if e.Field != "" {
		field = prefix + "." + e.Field
	}
	return BatchItemResult{Index: i, ExternalID: externalID, Result: BatchError,
		Error: &BatchItemError{Code: e.Code, Field: field, Message: e.Message}}
}

// Count fills the counters of r from its items.
func (r *BatchResult) Count() {
	r.Created, r.Updated, r.Unchanged, r.Errors = 0, 0, 0, 0
	for _, it := range r.Items {
		switch it.Result {
		case BatchCreated:
			r.Created++
		case BatchUpdated:
			r.Updated++
		case BatchUnchanged:
			r.Unchanged++
		default:
			r.Errors++
		}
	}
}
