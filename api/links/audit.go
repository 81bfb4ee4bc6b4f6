package links

import (
	"context"
	"encoding/json"
	"reflect"
	"time"
)

// Who makes a change: a staff member, a trusted application (API
// credential) or a client-area user (an account owner in the portal).
const (
	ActorAdmin      = "admin"
	ActorCredential = "api_credential"
	ActorUser       = "user"
)

// What an audit record is about.
const (
	AuditServer        = "server"
	AuditClient        = "client"
	AuditUser          = "user"
	AuditMembership    = "membership"
	AuditService       = "service"
	AuditRole          = "role"
	AuditAdmin         = "admin"
	AuditAPICredential = "api_credential"
	AuditApplication   = "application"
	AuditSigningKey    = "signing_key"
	AuditWebhook       = "webhook"
	AuditImport        = "import"
)

// AuditResources lists every resource an audit record can be about.
var AuditResources = []string{AuditServer, AuditClient, AuditUser, AuditMembership, AuditService, AuditRole,
	AuditAdmin, AuditAPICredential, AuditApplication, AuditSigningKey, AuditWebhook, AuditImport}

// What was done.
const (
	AuditCreate    = "create"
	AuditUpdate    = "update"
	AuditDelete    = "delete"
	AuditRevoke    = "revoke"
	AuditEnable    = "enable"
	AuditDisable   = "disable"
	AuditConfigure = "configure"
	AuditRepair    = "repair"
	AuditRotate    = "rotate"
	AuditRedeliver = "redeliver"
	AuditSync      = "sync"
	AuditRetry     = "retry"
	AuditVerify    = "verify"
)

// AuditActions lists every action an audit record can name.
var AuditActions = []string{AuditCreate, AuditUpdate, AuditDelete, AuditRevoke, AuditEnable, AuditDisable,
	AuditConfigure, AuditRepair, AuditRotate, AuditRedeliver, AuditSync, AuditRetry, AuditVerify}

// SecretChanged is all a record shows of a secret (an API token, a
// password): that it changed, never its value.
const SecretChanged = "changed"

// Actor is who makes the changes of a request.
type Actor struct {
	Kind string
	ID   int64
	Name string // the e-mail or credential name at the time, kept with the record
	IP   string
}

type actorKey struct{}

// WithActor returns a context whose changes are recorded as made by a.
// The store writes an audit record, in the change's own transaction, for
// every change made with an actor in its context; changes without one (the
// provisioning engine's, start-up's) are the system's and are not recorded.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// AuditRecord is one change made by staff, a trusted application or an
// account owner: who, when, from where, what, and the fields that changed
// (before and after; secrets only as "changed").
type AuditRecord struct {
	ID         int64          `json:"id"`
	Time       time.Time      `json:"time"`
	ActorKind  string         `json:"actor_kind"`
	ActorID    int64          `json:"actor_id"`
	ActorName  string         `json:"actor_name"`
	IP         string         `json:"ip"`
	Resource   string         `json:"resource"`
	ResourceID string         `json:"resource_id"`
	Action     string         `json:"action"`
	ClientID   *int64         `json:"client_id"`
	Before     map[string]any `json:"before"`
	After      map[string]any `json:"after"`
}

// AuditFilter narrows the audit trail; zero fields match everything.
type AuditFilter struct {
	ActorKind  string
	ActorID    int64
	Resource   string
	ResourceID string
	Action     string
	ClientID   int64
	From, To   *time.Time
	Page
}

// auditNoise are answer fields that change with every write or are
// derived, not set by anyone: they say nothing about a change.
var auditNoise = map[string]bool{"updated_at": true, "created_at": true, "services": true}

// AuditFields turns a domain value into the fields a record keeps: its JSON
// form without the derived ones. Nil gives nil.
func AuditFields(v any) map[string]any {
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return map[string]any{"value": string(data)}
	}
	for k := range auditNoise {
		delete(m, k)
	}
	return m
}

// AuditDiff keeps, of two field sets, only the fields whose values differ
// (both sides of each). A nil side (a creation or a deletion) keeps every
// field of the other.
func AuditDiff(before, after map[string]any) (map[string]any, map[string]any) {
	if before == nil || after == nil {
		return before, after
	}
	b, a := map[string]any{}, map[string]any{}
	for k, v := range after {
		if old, ok := before[k]; !ok || !reflect.DeepEqual(old, v) {
			a[k] = v
			if ok {
				b[k] = old
			}
		}
	}
	for k, v := range before {
		if _, ok := after[k]; !ok {
			b[k] = v
		}
	}
	return b, a
}
