package rest

import "github.com/applinks/applinks/api/links"

// The wire types of the bulk endpoints (PUT /clients:batch and
// /services:batch), and their converters to and from the links domain.

// BatchItemError says why one item was not applied; field is the item's
// field to fix, as items[i].field.
type BatchItemError struct {
	Code    string `json:"code" example:"invalid"`
	Field   string `json:"field" example:"items[3].username"`
	Message string `json:"message" example:"The username must be a cPanel account name."`
}

// BatchItemResult is what happened to one item of a batch.
type BatchItemResult struct {
	Index      int    `json:"index" example:"0"`
	ExternalID string `json:"external_id" example:"svc-5001"`
	Result     string `json:"result" example:"created" enums:"created,updated,unchanged,error"`
	// ID is the client's or service's id; null for an item in error.
	ID    *int64          `json:"id" extensions:"x-nullable" example:"42"`
	Error *BatchItemError `json:"error" extensions:"x-nullable"`
}

// BatchOwnerInput is the owner of a client a batch creates: an existing user
// with this e-mail, or a new one. Without a password, a new user can sign in
// only by single sign-on (they may set one later in the client area).
type BatchOwnerInput struct {
	Email    string `json:"email" example:"jane@acme.test"`
	Name     string `json:"name" example:"Jane Doe"`
	Password string `json:"password,omitempty" example:""`
}

// BatchResult answers a batch: one result per item, in order, and whether
// the valid items were applied (all of them, in one transaction) or none.
type BatchResult struct {
	Applied   bool              `json:"applied" example:"true"`
	Created   int               `json:"created" example:"2"`
	Updated   int               `json:"updated" example:"1"`
	Unchanged int               `json:"unchanged" example:"996"`
	Errors    int               `json:"errors" example:"1"`
	Items     []BatchItemResult `json:"items"`
}

// ClientBatchItem is one client of PUT /clients:batch, upserted by its
// external_id. Status and allow_sso left out keep their value (Active and
// true for a new client); owner is needed only to create.
type ClientBatchItem struct {
	ExternalID string           `json:"external_id" example:"cust-1001"`
	Name       string           `json:"name" example:"Acme Ltd"`
	Email      string           `json:"email" example:"billing@acme.test"`
	Status     string           `json:"status,omitempty" example:"Active" enums:"Active,Inactive,Closed"`
	AllowSSO   *bool            `json:"allow_sso,omitempty" example:"true"`
	Owner      *BatchOwnerInput `json:"owner,omitempty"`
}

// ServiceBatchItem is one service of PUT /services:batch, upserted by its
// external_id. The client is named by client_external_id or client_id.
// Username and domain are the account's whole state ("" for none); status
// left out keeps its value (Pending for a new service).
type ServiceBatchItem struct {
	ExternalID       string `json:"external_id" example:"svc-5001"`
	ClientExternalID string `json:"client_external_id,omitempty" example:"cust-1001"`
	ClientID         int64  `json:"client_id,omitempty" example:"0"`
	ServerID         int64  `json:"server_id" example:"1"`
	Username         string `json:"username,omitempty" example:"acme"`
	Domain           string `json:"domain,omitempty" example:"acme.test"`
	Status           string `json:"status,omitempty" example:"Active" enums:"Pending,Active,Suspended,Terminated,Cancelled"`
}

func (it ClientBatchItem) domain() links.ClientBatchItem {
	out := links.ClientBatchItem{ExternalID: it.ExternalID, Name: it.Name, Email: it.Email, Status: it.Status, AllowSSO: it.AllowSSO}
	if it.Owner != nil {
		o := links.BatchOwnerInput(*it.Owner)
		out.Owner = &o
	}
	return out
}

func (it ServiceBatchItem) domain() links.ServiceBatchItem { return links.ServiceBatchItem(it) }

func toBatchResult(r links.BatchResult) BatchResult {
	out := BatchResult{Applied: r.Applied, Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged, Errors: r.Errors,
		Items: make([]BatchItemResult, len(r.Items))}
	for i, it := range r.Items {
		out.Items[i] = BatchItemResult{Index: it.Index, ExternalID: it.ExternalID, Result: it.Result, ID: it.ID}
		if it.Error != nil {
			e := BatchItemError(*it.Error)
			out.Items[i].Error = &e
		}
	}
	return out
}
