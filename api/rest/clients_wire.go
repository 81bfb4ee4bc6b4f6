package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire types of the client endpoints (clients, their users and
// memberships), and their converters to and from the links domain.

// ClientAnswer is a customer account of the billing system.
type ClientAnswer struct {
	ID          int64  `json:"id" example:"1"`
	Name        string `json:"name" example:"Acme Ltd"`
	Email       string `json:"email" example:"billing@acme.test"`
	Status      string `json:"status" example:"Active" enums:"Active,Inactive,Closed"`
	AllowSSO    bool   `json:"allow_sso" example:"true"`
	OwnerUserID int64  `json:"owner_user_id" example:"1"`
	// ExternalID is the billing system's id of the client (null: none).
	ExternalID *string   `json:"external_id" extensions:"x-nullable" example:"cust-1001"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ClientInput creates a client with its owner: a new user (Owner) or an
// existing one (OwnerUserID).
type ClientInput struct {
	Name        string      `json:"name" example:"Acme Ltd"`
	Email       string      `json:"email" example:"billing@acme.test"`
	Status      string      `json:"status,omitempty" example:"Active" enums:"Active,Inactive,Closed"`
	AllowSSO    *bool       `json:"allow_sso,omitempty" example:"true"`
	Owner       *OwnerInput `json:"owner,omitempty"`
	OwnerUserID int64       `json:"owner_user_id,omitempty" example:"0"`
	// ExternalID is the billing system's id, unique among clients; empty
	// for none.
	ExternalID string `json:"external_id,omitempty" example:"cust-1001"`
}

// OwnerInput is the owner created with a new client.
type OwnerInput struct {
	Email    string `json:"email" example:"jane@acme.test"`
	Name     string `json:"name" example:"Jane Doe"`
	Password string `json:"password" example:"correct horse battery"`
}

// ClientPatch changes some fields of a client.
type ClientPatch struct {
	Name     *string `json:"name,omitempty"`
	Email    *string `json:"email,omitempty"`
	Status   *string `json:"status,omitempty" enums:"Active,Inactive,Closed"`
	AllowSSO *bool   `json:"allow_sso,omitempty"`
	// ExternalID sets the billing system's id; "" removes it.
	ExternalID *string `json:"external_id,omitempty" example:"cust-1001"`
}

// ClientUserInput adds a user to a client: a new user, or an existing one by
// user_id. Permissions default to all of them.
type ClientUserInput struct {
	UserID      int64    `json:"user_id,omitempty" example:"0"`
	Email       string   `json:"email,omitempty" example:"dev@acme.test"`
	Name        string   `json:"name,omitempty" example:"Dev Eloper"`
	Password    string   `json:"password,omitempty" example:"correct horse battery"`
	Permissions []string `json:"permissions,omitempty" example:"sso"`
}

// MembershipPatch changes a user's permissions on a client.
type MembershipPatch struct {
	Permissions []string `json:"permissions" example:"sso,invoices"`
}

// MembershipAnswer is a user's place on a client account.
type MembershipAnswer struct {
	ClientID    int64      `json:"client_id" example:"1"`
	UserID      int64      `json:"user_id" example:"1"`
	Owner       bool       `json:"owner" example:"true"`
	Permissions []string   `json:"permissions" example:"sso"`
	User        UserAnswer `json:"user"`
}

// UserAnswer is a client-area login. One user may belong to several clients.
type UserAnswer struct {
	ID        int64     `json:"id" example:"1"`
	Email     string    `json:"email" example:"jane@acme.test"`
	Name      string    `json:"name" example:"Jane Doe"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toClient(c links.Client) ClientAnswer { return ClientAnswer(c) }

func toClients(cs []links.Client) []ClientAnswer {
	out := make([]ClientAnswer, len(cs))
	for i, c := range cs {
		out[i] = toClient(c)
	}
	return out
}

func toUser(u links.User) UserAnswer {
	return UserAnswer{ID: u.ID, Email: u.Email, Name: u.Name, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func toMembership(m links.Membership) MembershipAnswer {
	perms := m.Permissions
	if perms == nil {
		perms = []string{}
	}
	return MembershipAnswer{ClientID: m.ClientID, UserID: m.UserID, Owner: m.Owner, Permissions: perms, User: toUser(m.User)}
}

func toMemberships(ms []links.Membership) []MembershipAnswer {
	out := make([]MembershipAnswer, len(ms))
	for i, m := range ms {
		out[i] = toMembership(m)
	}
	return out
}

func (in ClientInput) domain() links.ClientInput {
	out := links.ClientInput{Name: in.Name, Email: in.Email, Status: in.Status, AllowSSO: in.AllowSSO,
		OwnerUserID: in.OwnerUserID, ExternalID: in.ExternalID}
	if in.Owner != nil {
		o := links.OwnerInput(*in.Owner)
		out.Owner = &o
	}
	return out
}

func (p ClientPatch) domain() links.ClientPatch { return links.ClientPatch(p) }

func (in ClientUserInput) domain() links.ClientUserInput { return links.ClientUserInput(in) }

func (p MembershipPatch) domain() links.MembershipPatch { return links.MembershipPatch(p) }
