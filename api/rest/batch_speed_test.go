package rest_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// TestServicesBatchSpeed measures 10,000 new services in 10 requests of
// 1,000 through the real router on SQLite, then the same 10 requests again
// (all unchanged). It logs the times and asserts none: run it with
// APPLINKS_BATCH_SPEED=1 go test -run ServicesBatchSpeed -v ./api/rest/
func TestServicesBatchSpeed(t *testing.T) {
	if os.Getenv("APPLINKS_BATCH_SPEED") == "" {
		t.Skip("set APPLINKS_BATCH_SPEED=1 to measure")
	}
	st := storetest.New(t, store.DialectSQLite)
	e := newEnv(t, st)
	server := newTestServer(t, st, "cpa", true)
	var res links.BatchResult
	e.staff(http.MethodPut, "/api/v1/clients:batch", []any{clientItem("c1", "One")}, http.StatusOK, &res)
	requests := make([][]any, 10)
	for r := range requests {
		for i := range links.MaxBatchItems {
			n := r*links.MaxBatchItems + i
			requests[r] = append(requests[r], svcItem(fmt.Sprintf("svc-%d", n), "c1", server, fmt.Sprintf("u%d", n), links.ServiceActive))
		}
	}
	for _, want := range []string{links.BatchCreated, links.BatchUnchanged} {
		start := time.Now()
		for _, items := range requests {
			e.staff(http.MethodPut, "/api/v1/services:batch", items, http.StatusOK, &res)
			if res.Errors != 0 || res.Items[999].Result != want {
				t.Fatalf("batch = %+v", res.Items[999])
			}
		}
		t.Logf("10 requests of 1000 services, %s: %v", want, time.Since(start))
	}
	if n := sqlCount(t, st, "SELECT COUNT(*) FROM link_states"); n != 10000 {
		t.Fatalf("%d link_states rows, want 10000", n)
	}
}
