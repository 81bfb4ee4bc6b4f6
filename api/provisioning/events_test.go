package provisioning_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whmsim"
)

// queued returns the data of the webhook messages queued, by event type.
func queued(t *testing.T, st *store.Store) map[string][]map[string]any {
	t.Helper()
	db, err := st.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT event_type, body FROM webhook_deliveries ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]map[string]any{}
	for rows.Next() {
		var typ, body string
		if err := rows.Scan(&typ, &body); err != nil {
			t.Fatal(err)
		}
		var msg struct {
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &msg); err != nil {
			t.Fatal(err)
		}
		out[typ] = append(out[typ], msg.Data)
	}
	return out
}

// The engine queues operation.finished, account.failed, drift.found and
// server.unsupported with the outcomes they tell of.
func TestTheEngineQueuesItsWebhookEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := st.CreateWebhook(ctx, links.WebhookInput{URL: "http://127.0.0.1:9/hook", Events: []string{
			links.EventOperationFinished, links.EventAccountFailed, links.EventDriftFound, links.EventServerUnsupported}}, "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q="); err != nil {
			t.Fatal(err)
		}
		w := newWorld(t, st, srvSpec{name: "cpa", accounts: 3, faults: whmsim.Faults{RefuseAccounts: []string{"cpau002"}}},
			srvSpec{name: "old", accounts: 1, version: whmsim.OldVersion})
		e := startEngine(t, st, testConfig())
		op, err := e.Enable(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, op.ID)
		if err := w.servers["cpa"].RemoveLink("cpau003", "billing_upgrade"); err != nil {
			t.Fatal(err)
		}
		vop, err := e.Verify(ctx, links.ModuleCPanel, "")
		if err != nil {
			t.Fatal(err)
		}
		waitOp(t, st, vop.ID)
		waitFor(t, func() bool { return len(queued(t, st)[links.EventOperationFinished]) == 2 })
		got := queued(t, st)
		if f := got[links.EventOperationFinished]; f[0]["kind"] != links.OpActivation || f[1]["kind"] != links.OpVerify {
			t.Errorf("operation.finished = %v", f)
		}
		if f := got[links.EventAccountFailed]; len(f) != 1 || f[0]["username"] != "cpau002" || f[0]["server_name"] != "cpa" || f[0]["error"] == "" {
			t.Errorf("account.failed = %v", f)
		}
		if d := got[links.EventDriftFound]; len(d) != 1 || d[0]["username"] != "cpau003" || len(d[0]["differences"].([]any)) != 1 {
			t.Errorf("drift.found = %v", d)
		}
		// The unsupported server is reported at each operation's start.
		if u := got[links.EventServerUnsupported]; len(u) != 2 || u[0]["server_name"] != "old" || u[0]["reason"] == "" {
			t.Errorf("server.unsupported = %v", u)
		}
	})
}
