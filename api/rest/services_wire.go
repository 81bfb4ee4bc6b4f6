package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the service endpoints, and their converters to and from
// the links domain.

// ServiceRecord is a hosting account on a server, as stored: the fields
// ServiceAnswer and PortalService add to, and the answer of a create or change.
type ServiceRecord struct {
	ID       int64  `json:"id" example:"1"`
	ClientID int64  `json:"client_id" example:"1"`
	ServerID int64  `json:"server_id" example:"1"`
	Module   string `json:"module" example:"cpanel"`
	Username string `json:"username" example:"acme"`
	Domain   string `json:"domain" example:"acme.test"`
	Status   string `json:"status" example:"Active" enums:"Pending,Active,Suspended,Terminated,Cancelled"`
	// ExternalID is the billing system's id of the service (null: none).
	ExternalID *string   `json:"external_id" extensions:"x-nullable" example:"svc-5001"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ServiceInput creates a hosting account.
type ServiceInput struct {
	ClientID int64  `json:"client_id" example:"1"`
	ServerID int64  `json:"server_id" example:"1"`
	Username string `json:"username,omitempty" example:"acme"`
	Domain   string `json:"domain,omitempty" example:"acme.test"`
	Status   string `json:"status,omitempty" example:"Active" enums:"Pending,Active,Suspended,Terminated,Cancelled"`
	// ExternalID is the billing system's id, unique among services; empty
	// for none.
	ExternalID string `json:"external_id,omitempty" example:"svc-5001"`
}

// ServicePatch changes some fields of a service. Changing server_id moves the
// account to another server.
type ServicePatch struct {
	ServerID *int64  `json:"server_id,omitempty"`
	Username *string `json:"username,omitempty"`
	Domain   *string `json:"domain,omitempty"`
	Status   *string `json:"status,omitempty" enums:"Pending,Active,Suspended,Terminated,Cancelled"`
	// ExternalID sets the billing system's id; "" removes it.
	ExternalID *string `json:"external_id,omitempty" example:"svc-5001"`
}

// ServiceLinkState is a service's account location as the reconciler sees
// it: state is the verdict, the rest the location's retry
// record (zero when the engine has not written one yet).
type ServiceLinkState struct {
	State     string `json:"state" enums:"up_to_date,pending,failed,none,held" example:"failed"`
	LastError string `json:"last_error" example:"The panel refused the links: account suspended by root."`
	Attempts  int    `json:"attempts" example:"3"`
	// NextAttemptAt is when a backoff ends (null: none).
	NextAttemptAt *time.Time `json:"next_attempt_at" extensions:"x-nullable"`
	// ConfirmedAt is when the panel last confirmed the location (null: never).
	ConfirmedAt *time.Time `json:"confirmed_at" extensions:"x-nullable"`
	// HoldReason says why a held account (its server deactivated or not
	// supporting links) is left as it is; "" in any other state.
	HoldReason string `json:"hold_reason" example:"Server cp2 is deactivated: its accounts are left as they are until it is activated again."`
}

func toService(s links.Service) ServiceRecord { return ServiceRecord(s) }

func (in ServiceInput) domain() links.ServiceInput { return links.ServiceInput(in) }

func (p ServicePatch) domain() links.ServicePatch { return links.ServicePatch(p) }
