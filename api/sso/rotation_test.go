package sso_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// rotate gives the fixture's service a new link secret and returns it; the
// rotation's operation is then closed, so that another may follow.
func (f *fixture) rotate() links.AccountCreds {
	f.t.Helper()
	op, err := f.st.QueueTargeted(f.ctx, links.NewOperation{Module: links.ModuleCPanel, Kind: links.OpRotation, Spec: "{}"},
		links.OpTarget{Rotate: true, ServiceID: f.service.ID, ServerID: f.server.ID, Resource: "service",
			ID: strconv.FormatInt(f.service.ID, 10), Action: links.AuditRotate})
	if err != nil {
		f.t.Fatal(err)
	}
	db, err := f.st.SQLDB()
	if err == nil {
		_, err = db.ExecContext(f.ctx, "UPDATE operations SET state = ? WHERE id = ?", links.OpCompleted, op.ID)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	creds, err := f.st.ServiceLinkCreds(f.ctx, f.service.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return creds
}

// confirmRotation records the panel's confirmation of the service's
// current credential version, as the provisioning loop does, and returns
// its time.
func (f *fixture) confirmRotation() time.Time {
	f.t.Helper()
	if ok, err := f.st.ClaimServer(f.ctx, f.server.ID, "me", time.Minute); err != nil || !ok {
		f.t.Fatal(ok, err)
	}
	rows, err := f.st.LinkStatePage(f.ctx, links.Walk{ServerID: f.server.ID}, "", 10)
	if err != nil || len(rows) != 1 {
		f.t.Fatalf("locations %+v, %v; want the service's", rows, err)
	}
	loc := rows[0]
	n, err := f.st.RecordBatch(f.ctx, time.Minute, links.BatchRecord{ServerID: f.server.ID, Owner: "me", Module: links.ModuleCPanel,
		Updates: []links.LinkStateUpdate{{Username: loc.Username, ReadFP: loc.ConfirmedFP, ConfirmedFP: "fp:rotated", Done: true,
			ServiceID: f.service.ID, CredVersion: loc.CredVersion}}})
	if err != nil || n != 1 {
		f.t.Fatalf("RecordBatch = %d, %v; want 1 applied", n, err)
	}
	target, err := f.st.SSOClickTarget(f.ctx, f.creds.SubscriberUniqueID)
	if err != nil || target.PrevConfirmedAt == nil {
		f.t.Fatalf("no confirmation time after the confirmation: %+v, %v", target.PrevConfirmedAt, err)
	}
	return *target.PrevConfirmedAt
}

func (f *fixture) clickWith(token string) error {
	_, err := f.svc.Click(f.ctx, sso.ClickRequest{Destination: "profile", SubscriberID: f.creds.SubscriberUniqueID, Token: token, IP: "198.51.100.7"})
	return err
}

// The old secret of a rotated link is accepted while the rotation is
// pending and for the rotation grace after the panel confirmed it (a click
// the panel sent with it just before it took the new one), and refused
// from then on; the new secret is accepted throughout.
func TestRotatedSecretIsAcceptedForTheGraceAfterTheConfirmation(t *testing.T) {
	const grace = 2 * time.Minute
	each(t, sso.Config{RotationGrace: grace}, func(t *testing.T, f *fixture) {
		old := f.creds
		rotated := f.rotate()
		if rotated.Token == old.Token || rotated.SubscriberUniqueID != old.SubscriberUniqueID {
			t.Fatalf("rotation: new token %v, same subscriber %v", rotated.Token != old.Token, rotated.SubscriberUniqueID == old.SubscriberUniqueID)
		}
		check := func(when string, oldAccepted bool) {
			t.Helper()
			if err := f.clickWith(rotated.Token); err != nil {
				t.Fatalf("%s: the new secret was refused: %v", when, err)
			}
			err := f.clickWith(old.Token)
			if oldAccepted && err != nil {
				t.Fatalf("%s: the old secret was refused: %v", when, err)
			}
			if !oldAccepted {
				refusal(t, err, links.SSOReasonBadCredentials, links.EUNAUTHORIZED)
			}
		}
		check("pending", true)
		at := f.confirmRotation()
		f.clk.set(at)
		check("right after the confirmation", true)
		f.clk.set(at.Add(grace - time.Millisecond))
		check("at the end of the grace", true)
		f.clk.set(at.Add(grace))
		check("after the grace", false)
		// A second rotation keeps the token the panel was confirmed with,
		// pending again: the first token stays refused.
		second := f.rotate()
		f.clk.advance(time.Hour)
		if err := f.clickWith(rotated.Token); err != nil {
			t.Fatalf("a second rotation, pending: its previous secret was refused: %v", err)
		}
		if err := f.clickWith(second.Token); err != nil {
			t.Fatalf("a second rotation, pending: its new secret was refused: %v", err)
		}
		refusal(t, f.clickWith(old.Token), links.SSOReasonBadCredentials, links.EUNAUTHORIZED)
	})
}

// Without a grace, the old secret is refused from the confirmation on.
func TestRotatedSecretWithoutGraceIsRefusedAtTheConfirmation(t *testing.T) {
	each(t, sso.Config{}, func(t *testing.T, f *fixture) {
		old := f.creds
		f.rotate()
		if err := f.clickWith(old.Token); err != nil {
			t.Fatalf("pending: the old secret was refused: %v", err)
		}
		f.clk.set(f.confirmRotation())
		refusal(t, f.clickWith(old.Token), links.SSOReasonBadCredentials, links.EUNAUTHORIZED)
	})
}

// Two rotations before the panel confirmed the first: a request carrying
// the middle secret may have reached the panel without an answer, so until
// the newest is confirmed every one of them is accepted; after the grace,
// only the newest.
func TestSecretsReplacedBeforeAConfirmationStayAccepted(t *testing.T) {
	const grace = time.Minute
	each(t, sso.Config{RotationGrace: grace}, func(t *testing.T, f *fixture) {
		old, middle := f.creds, f.rotate()
		newest := f.rotate()
		for name, token := range map[string]string{"old": old.Token, "middle": middle.Token, "newest": newest.Token} {
			if err := f.clickWith(token); err != nil {
				t.Fatalf("pending: the %s secret was refused: %v", name, err)
			}
		}
		at := f.confirmRotation()
		f.clk.set(at.Add(grace - time.Millisecond))
		if err := f.clickWith(middle.Token); err != nil {
			t.Fatalf("in the grace: the middle secret was refused: %v", err)
		}
		f.clk.set(at.Add(grace))
		refusal(t, f.clickWith(middle.Token), links.SSOReasonBadCredentials, links.EUNAUTHORIZED)
		refusal(t, f.clickWith(old.Token), links.SSOReasonBadCredentials, links.EUNAUTHORIZED)
		if err := f.clickWith(newest.Token); err != nil {
			t.Fatalf("after the grace: the newest secret was refused: %v", err)
		}
	})
}
