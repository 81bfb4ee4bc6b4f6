package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// waitOperation polls an operation until it is finished.
func (e *env) waitOperation(id int64) links.OperationDetail {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var op links.OperationDetail
		e.staff(http.MethodGet, "/api/v1/operations/"+strconv.FormatInt(id, 10), nil, http.StatusOK, &op)
		if !op.Open() {
			return op
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("operation %d still open: %+v", id, op.Operation)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Retry failed, server sync and service sync through the router: 202 with
// the operation, the work done, an audit record each; bad input is a 4xx
// naming what is wrong, and queues nothing.
func TestTargetedRepairsThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, srv := provEnv(t, st)
		if err := srv.SetFaults(whmsim.Faults{RefuseAccounts: []string{"acct2"}}); err != nil {
			t.Fatal(err)
		}
		serverID := e.addSimServer(srv)
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/enable", nil, http.StatusAccepted, nil)
		if status := e.waitState("cpanel", links.StateActive); status.AccountsFailed != 1 {
			t.Fatalf("status = %+v, want one account failed", status)
		}
		if err := srv.SetFaults(whmsim.Faults{}); err != nil {
			t.Fatal(err)
		}
		var op links.Operation
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/retry-failed", nil, http.StatusAccepted, &op)
		if op.Kind != links.OpRetry || op.StartedBy != adminEmail {
			t.Fatalf("retry = %+v", op)
		}
		e.waitOperation(op.ID)
		if status := e.waitState("cpanel", links.StateActive); status.AccountsFailed != 0 || len(srv.Links("acct2")) != 14 {
			t.Fatalf("status = %+v, acct2 has %d links", status, len(srv.Links("acct2")))
		}
		resp, data := e.request(http.MethodPost, "/api/v1/applications/cpanel/retry-failed", e.token, nil)
		if body := e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, ""); !strings.Contains(body.Error.Message, "nothing to retry") {
			t.Errorf("message = %q", body.Error.Message)
		}

		for _, l := range srv.Links("acct3") {
			if err := srv.RemoveLink("acct3", l.App); err != nil {
				t.Fatal(err)
			}
		}
		var svcs struct {
			Items []links.Service `json:"items"`
		}
		e.staff(http.MethodGet, "/api/v1/services?q=acct3", nil, http.StatusOK, &svcs)
		if len(svcs.Items) != 1 {
			t.Fatalf("services = %+v", svcs)
		}
		e.staff(http.MethodPost, "/api/v1/services/"+strconv.FormatInt(svcs.Items[0].ID, 10)+"/sync", nil, http.StatusAccepted, &op)
		if d := e.waitOperation(op.ID); d.Kind != links.OpRepair || d.AccountsDone != 1 || len(srv.Links("acct3")) != 14 {
			t.Fatalf("service sync = %+v, acct3 has %d links", d.Operation, len(srv.Links("acct3")))
		}
		// The log filtered by the account shows the operation's start.
		var acct3Log rest.List[rest.LogEntry]
		e.staff(http.MethodGet, fmt.Sprintf("/api/v1/applications/cpanel/log?operation_id=%d&account=acct3&order=oldest", op.ID), nil, http.StatusOK, &acct3Log)
		if len(acct3Log.Items) == 0 || !strings.HasPrefix(acct3Log.Items[0].Message, "Started repair of account acct3 on server") {
			t.Errorf("acct3's log of its sync = %+v", acct3Log.Items)
		}
		syncOp := op.ID
		e.staff(http.MethodPost, "/api/v1/servers/"+strconv.FormatInt(serverID, 10)+"/sync", nil, http.StatusAccepted, &op)
		if d := e.waitOperation(op.ID); d.AccountsDone != 4 {
			t.Fatalf("server sync = %+v", d.Operation)
		}
		// Without an operation, the account filter reads the account's
		// history: its sync's start, though a later operation is the last.
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?account=acct3&order=oldest", nil, http.StatusOK, &acct3Log)
		if len(acct3Log.Items) == 0 || acct3Log.Items[0].OperationID != syncOp {
			t.Errorf("acct3's history = %+v, want its sync (operation %d) first", acct3Log.Items, syncOp)
		}
		for _, want := range []struct{ query, id string }{
			{"resource=application&action=retry", "cpanel"},
			{"resource=service&action=sync", strconv.FormatInt(svcs.Items[0].ID, 10)},
			{"resource=server&action=sync", strconv.FormatInt(serverID, 10)},
		} {
			if recs := e.auditTrail(want.query); len(recs) != 1 || recs[0].ResourceID != want.id {
				t.Errorf("audit %s = %+v", want.query, recs)
			}
		}

		var before struct {
			Total int64 `json:"total"`
		}
		e.staff(http.MethodGet, "/api/v1/operations", nil, http.StatusOK, &before)
		for _, bad := range []struct {
			path   string
			status int
			code   string
		}{
			{"/api/v1/servers/99999/sync", http.StatusNotFound, links.ENOTFOUND},
			{"/api/v1/servers/abc/sync", http.StatusBadRequest, links.EINVALID},
			{"/api/v1/services/99999/sync", http.StatusNotFound, links.ENOTFOUND},
			{"/api/v1/services/0/sync", http.StatusBadRequest, links.EINVALID},
			{"/api/v1/applications/plesk/retry-failed", http.StatusNotFound, links.ENOTFOUND},
		} {
			resp, data := e.request(http.MethodPost, bad.path, e.token, nil)
			e.wantError(resp, data, bad.status, bad.code, "")
		}
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/disable", nil, http.StatusAccepted, &op)
		e.waitOperation(op.ID)
		for _, path := range []string{"/api/v1/servers/" + strconv.FormatInt(serverID, 10) + "/sync", "/api/v1/applications/cpanel/sync"} {
			resp, data = e.request(http.MethodPost, path, e.token, nil)
			if body := e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, ""); !strings.Contains(body.Error.Message, "is disabled") {
				t.Errorf("%s: message = %q", path, body.Error.Message)
			}
		}
		var after struct {
			Total int64 `json:"total"`
		}
		e.staff(http.MethodGet, "/api/v1/operations", nil, http.StatusOK, &after)
		if after.Total != before.Total+1 {
			t.Errorf("operations went from %d to %d, want the deactivation only", before.Total, after.Total)
		}
	})
}

// Verify through the router: 202 with the verify operation, drift found
// and repaired, an audit record; refused (409) while disabled.
func TestVerifyThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, srv := provEnv(t, st)
		e.addSimServer(srv)
		resp, data := e.request(http.MethodPost, "/api/v1/applications/cpanel/verify", e.token, nil)
		if body := e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, ""); !strings.Contains(body.Error.Message, "is disabled") {
			t.Errorf("message = %q", body.Error.Message)
		}
		resp, data = e.request(http.MethodPost, "/api/v1/applications/plesk/verify", e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/enable", nil, http.StatusAccepted, nil)
		e.waitState("cpanel", links.StateActive)
		if err := srv.RemoveLink("acct4", "billing_profile"); err != nil {
			t.Fatal(err)
		}
		var op links.Operation
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/verify", nil, http.StatusAccepted, &op)
		if d := e.waitOperation(op.ID); d.Kind != links.OpVerify || d.AccountsDone != 1 || len(srv.Links("acct4")) != 14 {
			t.Fatalf("verify = %+v, acct4 has %d links", d.Operation, len(srv.Links("acct4")))
		}
		var log struct {
			Items []links.LogEntry `json:"items"`
		}
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?level=notice&operation_id="+strconv.FormatInt(op.ID, 10), nil, http.StatusOK, &log)
		if len(log.Items) != 1 || !strings.Contains(log.Items[0].Message, "acct4 on server cp1") {
			t.Fatalf("notices = %+v", log.Items)
		}
		if recs := e.auditTrail("resource=application&action=verify"); len(recs) != 1 || recs[0].ResourceID != "cpanel" {
			t.Errorf("audit = %+v", recs)
		}
	})
}

// click calls the cPanel autologin endpoint as a panel would.
func (e *env) click(sub, token string) int {
	e.t.Helper()
	form := url.Values{"subscriber_unique_id": {sub}, "token": {token}, "attempt": {"1"}}
	resp, _ := e.request(http.MethodPost, "/sso/cpanel/token?destination=profile", "", form.Encode(),
		"Content-Type", "application/x-www-form-urlencoded")
	return resp.StatusCode
}

// A rotated secret: the old one keeps working while the panel has not
// confirmed the new one (here it refuses the account for a while), both
// work then, and once the panel confirmed the new one the old is refused.
func TestRotationKeepsTheOldSecretUntilThePanelConfirms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, srv := provEnv(t, st)
		e.addSimServer(srv)
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/enable", nil, http.StatusAccepted, nil)
		e.waitState("cpanel", links.StateActive)
		var svcs struct {
			Items []links.Service `json:"items"`
		}
		e.staff(http.MethodGet, "/api/v1/services?q=acct1", nil, http.StatusOK, &svcs)
		id := svcs.Items[0].ID
		ctx := context.Background()
		old, err := st.ServiceLinkCreds(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if code := e.click(old.SubscriberUniqueID, old.Token); code != http.StatusOK {
			t.Fatalf("click before the rotation: %d", code)
		}
		if err := srv.SetFaults(whmsim.Faults{RefuseAccounts: []string{"acct1"}}); err != nil {
			t.Fatal(err)
		}
		var op links.Operation
		e.staff(http.MethodPost, "/api/v1/services/"+strconv.FormatInt(id, 10)+"/rotate-link-secret", nil, http.StatusAccepted, &op)
		if d := e.waitOperation(op.ID); d.Kind != links.OpRotation || d.AccountsFailed != 1 {
			t.Fatalf("rotation = %+v, want the account refused", d.Operation)
		}
		now, err := st.ServiceLinkCreds(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if now.Token == old.Token || now.SubscriberUniqueID != old.SubscriberUniqueID {
			t.Fatal("the rotation did not give a new token with the same subscriber id")
		}
		if code := e.click(old.SubscriberUniqueID, old.Token); code != http.StatusOK {
			t.Fatalf("old secret before the panel confirmed the new one: %d", code)
		}
		if code := e.click(now.SubscriberUniqueID, now.Token); code != http.StatusOK {
			t.Fatalf("new secret before the panel confirmed it: %d", code)
		}
		if err := srv.SetFaults(whmsim.Faults{}); err != nil {
			t.Fatal(err)
		}
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/retry-failed", nil, http.StatusAccepted, &op)
		e.waitOperation(op.ID)
		if !srv.TokenMatches("acct1", "billing_profile", now.Token) {
			t.Fatal("the panel does not carry the new token")
		}
		if code := e.click(old.SubscriberUniqueID, old.Token); code != http.StatusUnauthorized {
			t.Fatalf("old secret after the panel confirmed the new one: %d, want 401", code)
		}
		if code := e.click(now.SubscriberUniqueID, now.Token); code != http.StatusOK {
			t.Fatalf("new secret: %d", code)
		}
		if recs := e.auditTrail("resource=service&action=rotate"); len(recs) != 1 || strings.Contains(string(mustJSON(t, recs)), now.Token) {
			t.Errorf("audit = %+v", recs)
		}
		// Bad input: 4xx, nothing queued.
		resp, data := e.request(http.MethodPost, "/api/v1/services/99999/rotate-link-secret", e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")
		resp, data = e.request(http.MethodPost, "/api/v1/applications/plesk/rotate-link-secrets", e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/rotate-link-secrets", nil, http.StatusAccepted, &op)
		if d := e.waitOperation(op.ID); d.AccountsDone != 4 {
			t.Fatalf("rotation of every secret = %+v", d.Operation)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Rotating one secret, or every secret, of a disabled application is a
// 409 that says so, and writes nothing: no operation, no new token, no
// audit record.
func TestRotatingTheSecretsOfADisabledApplicationIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, srv := provEnv(t, st)
		e.addSimServer(srv)
		var op links.Operation
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/enable", nil, http.StatusAccepted, nil)
		e.waitState("cpanel", links.StateActive)
		e.staff(http.MethodPost, "/api/v1/applications/cpanel/disable", nil, http.StatusAccepted, &op)
		e.waitOperation(op.ID)
		var svcs struct {
			Items []links.Service `json:"items"`
		}
		e.staff(http.MethodGet, "/api/v1/services?q=acct1", nil, http.StatusOK, &svcs)
		if len(svcs.Items) != 1 {
			t.Fatalf("services = %+v", svcs)
		}
		id := svcs.Items[0].ID
		old, err := st.ServiceLinkCreds(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		var before, after struct {
			Total int64 `json:"total"`
		}
		e.staff(http.MethodGet, "/api/v1/operations", nil, http.StatusOK, &before)
		for _, path := range []string{
			"/api/v1/services/" + strconv.FormatInt(id, 10) + "/rotate-link-secret",
			"/api/v1/applications/cpanel/rotate-link-secrets",
		} {
			resp, data := e.request(http.MethodPost, path, e.token, nil)
			if body := e.wantError(resp, data, http.StatusConflict, links.ECONFLICT, ""); !strings.Contains(body.Error.Message, "is disabled") {
				t.Errorf("POST %s: message = %q, want it to say the application is disabled", path, body.Error.Message)
			}
		}
		e.staff(http.MethodGet, "/api/v1/operations", nil, http.StatusOK, &after)
		if after.Total != before.Total {
			t.Errorf("refused rotations queued %d operations", after.Total-before.Total)
		}
		if now, err := st.ServiceLinkCreds(context.Background(), id); err != nil || now.Token != old.Token {
			t.Errorf("refused rotations changed the link secret (%v)", err)
		}
		if recs := e.auditTrail("action=rotate"); len(recs) != 0 {
			t.Errorf("refused rotations were audited: %+v", recs)
		}
	})
}
