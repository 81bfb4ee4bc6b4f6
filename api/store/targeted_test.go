package store_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// A targeted intent supersedes an open verify (the newer intent wins: a
// long verify does not hold staff back) and is refused beside any other
// open operation; a verify supersedes nothing. A refusal queues nothing.
func TestTargetedIntentsSupersedeOnlyAVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newServer(t, s, "cp1", "cp1.example.com", true)
		newServer(t, s, "cp2", "cp2.example.com", true)
		c := newClient(t, s, "verify@acme.test")
		svc := newService(t, s, c.ID, a.ID, "alice", links.ServiceActive)
		queue := func(kind string, target links.OpTarget) (links.Operation, error) {
			return s.QueueTargeted(ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: kind, Spec: "{}"}, target)
		}
		verify := func() (links.Operation, error) {
			return queue(links.OpVerify, links.OpTarget{All: true, Resource: links.AuditApplication, ID: links.ModuleCPanel,
				Action: links.AuditVerify})
		}
		id := strconv.FormatInt(svc.ID, 10)
		sync := links.OpTarget{ServerID: a.ID, Username: "alice", Resource: links.AuditService, ID: id, Action: links.AuditSync}
		rotate := links.OpTarget{Rotate: true, ServiceID: svc.ID, ServerID: a.ID, Username: "alice", Resource: links.AuditService,
			ID: id, Action: links.AuditRotate}
		refused := func(what string, err error) {
			t.Helper()
			if links.ErrorCode(err) != links.ECONFLICT {
				t.Fatalf("%s = %v, want a conflict", what, err)
			}
		}
		v, err := verify()
		if err != nil {
			t.Fatal(err)
		}
		_, err = verify()
		refused("a verify beside a verify", err)
		r, err := queue(links.OpRepair, sync)
		if err != nil {
			t.Fatalf("a service sync beside a verify = %v, want it to supersede the verify", err)
		}
		d, err := s.Operation(ctx, v.ID)
		if err != nil || d.State != links.OpSuperseded || d.SupersededBy == nil || *d.SupersededBy != r.ID || len(d.Servers) != 2 {
			t.Fatalf("verify = %+v, %v; want superseded by %d", d.Operation, err, r.ID)
		}
		for _, p := range d.Servers {
			if p.State != links.TaskSuperseded {
				t.Errorf("verify's progress row on server %d is %s", p.ServerID, p.State)
			}
		}
		before := queryInt(t, s, "SELECT COUNT(*) FROM operations")
		_, err = verify()
		refused("a verify beside a service sync", err)
		_, err = queue(links.OpRotation, rotate)
		refused("a rotation beside a service sync", err)
		if n := queryInt(t, s, "SELECT COUNT(*) FROM operations"); n != before {
			t.Fatalf("refused intents queued %d operations", n-before)
		}
		if d, _ := s.Operation(ctx, r.ID); !d.Open() {
			t.Fatalf("service sync = %+v, want it still open", d.Operation)
		}
	})
}
