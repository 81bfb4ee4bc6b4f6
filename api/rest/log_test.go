package rest_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// logEnv enables cpanel on one simulated server and returns the env, the
// activation's id and the service id of acct2.
func logEnv(t *testing.T, st *store.Store) (*env, int64, int64) {
	e, srv := provEnv(t, st)
	e.addSimServer(srv)
	var op links.Operation
	e.staff(http.MethodPost, "/api/v1/applications/cpanel/enable", nil, http.StatusAccepted, &op)
	e.waitState("cpanel", links.StateActive)
	var svcs rest.List[links.Service]
	e.staff(http.MethodGet, "/api/v1/services?q=acct2", nil, http.StatusOK, &svcs)
	if len(svcs.Items) != 1 {
		t.Fatalf("services = %+v", svcs)
	}
	return e, op.ID, svcs.Items[0].ID
}

// addLog appends n warnings to the operation's log, every tenth about the
// service (its account acct2), with messages "entry <i> ...".
func addLog(t *testing.T, st *store.Store, opID, serviceID int64, n int, msg func(i int) string) {
	t.Helper()
	db, err := st.SQLDB()
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < n; lo += 500 {
		var sql strings.Builder
		var args []any
		sql.WriteString("INSERT INTO log_entries (operation_id, module, time, level, service_id, account, message) VALUES ")
		for i := lo; i < min(n, lo+500); i++ {
			if i > lo {
				sql.WriteString(",")
			}
			sql.WriteString("(?, 'cpanel', ?, 'warning', ?, ?, ?)")
			var svc any
			account := ""
			if i%10 == 0 {
				svc, account = serviceID, "acct2"
			}
			args = append(args, opID, time.Now().UTC(), svc, account, msg(i))
		}
		if _, err := db.Exec(sql.String(), args...); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLogFiltersOrderAndSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, opID, svcID := logEnv(t, st)
		addLog(t, st, opID, svcID, 30, func(i int) string { return fmt.Sprintf("entry %d: 50%%_off!", i) })
		var log rest.List[links.LogEntry]
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?per_page=200", nil, http.StatusOK, &log)
		if log.Items[0].Message != "entry 29: 50%_off!" || log.Items[0].ID < log.Items[1].ID {
			t.Fatalf("default order: first = %+v", log.Items[0])
		}
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?order=oldest&per_page=1", nil, http.StatusOK, &log)
		if !strings.Contains(log.Items[0].Message, "Started activation") {
			t.Fatalf("oldest first = %+v", log.Items[0])
		}
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?account=acct2&order=oldest", nil, http.StatusOK, &log)
		if log.Total != 3 || log.Items[0].Message != "entry 0: 50%_off!" || *log.Items[2].ServiceID != svcID {
			t.Fatalf("account filter = %+v", log)
		}
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?account=nobody", nil, http.StatusOK, &log)
		if log.Total != 0 {
			t.Fatalf("unknown account = %+v", log)
		}
		// Wildcards are literal: "%_" matches only the text "%_".
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?q=ENTRY+1", nil, http.StatusOK, &log)
		if log.Total != 11 { // 1, 10..19
			t.Fatalf("q=ENTRY 1: total %d", log.Total)
		}
		e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?q=%25_off", nil, http.StatusOK, &log)
		if log.Total != 30 {
			t.Fatalf("q=%%_off: total %d", log.Total)
		}
		for _, q := range []string{"0%25o", "entry_1"} {
			e.staff(http.MethodGet, "/api/v1/applications/cpanel/log?q="+q, nil, http.StatusOK, &log)
			if log.Total != 0 {
				t.Fatalf("q=%s matched %d (wildcard not escaped)", q, log.Total)
			}
		}
		for _, tc := range []struct{ query, field string }{
			{"order=sideways", "order"}, {"q=" + strings.Repeat("x", 201), "q"}, {"account=" + strings.Repeat("a", 201), "account"},
		} {
			resp, data := e.request(http.MethodGet, "/api/v1/applications/cpanel/log?"+tc.query, e.token, nil)
			e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, tc.field)
			resp, data = e.request(http.MethodGet, "/api/v1/applications/cpanel/log.csv?"+tc.query, e.token, nil)
			e.wantError(resp, data, http.StatusBadRequest, links.EINVALID, tc.field)
		}
	})
}

func TestLogCSVStreamsTheFilteredLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, opID, svcID := logEnv(t, st)
		const n = 5000 // ten store batches
		formulas := []string{"=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)"}
		addLog(t, st, opID, svcID, n, func(i int) string {
			if i < len(formulas) {
				return formulas[i]
			}
			return fmt.Sprintf("entry %d, \"quoted\"", i)
		})
		resp, data := e.request(http.MethodGet, "/api/v1/applications/cpanel/log.csv?level=warning", e.token, nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="cpanel-log.csv"` {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n+1 || strings.Join(rows[0], ",") != "id,time,level,server_id,service_id,message,account" {
			t.Fatalf("%d rows, header %v", len(rows), rows[0])
		}
		if rows[1][5] != fmt.Sprintf("entry %d, \"quoted\"", n-1) {
			t.Fatalf("newest first: %v", rows[1])
		}
		for i, f := range formulas {
			if got := rows[n-i][5]; got != "'"+f {
				t.Fatalf("formula %q exported as %q", f, got)
			}
		}
		resp, data = e.request(http.MethodGet, "/api/v1/applications/cpanel/log.csv?order=oldest&account=acct2&q=entry", e.token, nil)
		rows, err = csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatal(resp.StatusCode, err)
		}
		if len(rows) != n/10 || rows[1][5] != "entry 10, \"quoted\"" || rows[1][4] != fmt.Sprint(svcID) || rows[1][6] != "acct2" {
			t.Fatalf("filtered: %d rows, first %v", len(rows), rows[1])
		}
		resp, data = e.request(http.MethodGet, "/api/v1/applications/nope/log.csv", e.token, nil)
		e.wantError(resp, data, http.StatusNotFound, links.ENOTFOUND, "")
	})
}
