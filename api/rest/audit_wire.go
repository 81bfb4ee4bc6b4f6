package rest

import (
	"time"

	"github.com/applinks/applinks/api/links"
)

// The wire type of the audit log, and its converter from the links domain.

// AuditRecord is one change made by staff, a trusted application or an
// account owner: who, when, from where, what, and the fields that changed
// (before and after; secrets only as "changed").
type AuditRecord struct {
	ID         int64          `json:"id" example:"1"`
	Time       time.Time      `json:"time"`
	ActorKind  string         `json:"actor_kind" example:"admin" enums:"admin,api_credential,user"`
	ActorID    int64          `json:"actor_id" example:"1"`
	ActorName  string         `json:"actor_name" example:"admin@example.com"`
	IP         string         `json:"ip" example:"203.0.113.7"`
	Resource   string         `json:"resource" example:"server" enums:"server,client,user,membership,service,role,admin,api_credential,application,signing_key,webhook,import"`
	ResourceID string         `json:"resource_id" example:"3"`
	Action     string         `json:"action" example:"update" enums:"create,update,delete,revoke,enable,disable,configure,repair,rotate,redeliver,sync,retry,verify"`
	ClientID   *int64         `json:"client_id" example:"12" extensions:"x-nullable"`
	Before     map[string]any `json:"before" extensions:"x-nullable"`
	After      map[string]any `json:"after" extensions:"x-nullable"`
}

func toAuditRecords(rs []links.AuditRecord) []AuditRecord {
	out := make([]AuditRecord, len(rs))
	for i, r := range rs {
		out[i] = AuditRecord(r)
	}
	return out
}
