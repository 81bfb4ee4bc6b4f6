package rest_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
	"github.com/applinks/applinks/api/whm"
	"github.com/applinks/applinks/api/whmsim"
)

// trap is a listener on loopback that records the Authorization header of
// every request it gets: the address an attacker would re-point a server to.
type trap struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newTrap(t *testing.T) *trap {
	tr := &trap{}
	tr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		tr.auths = append(tr.auths, r.Header.Get("Authorization"))
		tr.mu.Unlock()
		http.Error(w, "no", http.StatusForbidden)
	}))
	t.Cleanup(tr.Close)
	return tr
}

func (tr *trap) seen() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.auths...)
}

func (tr *trap) port() int {
	var port int
	_, _ = fmt.Sscanf(tr.URL[strings.LastIndex(tr.URL, ":")+1:], "%d", &port)
	return port
}

func TestRepointingAServerNeedsItsToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		sim := whmsim.New(quiet, whmsim.WithSeed(1))
		t.Cleanup(func() { _ = sim.Close() })
		cp1, err := sim.Start(whmsim.ServerConfig{Name: "cp1", Token: "TOKENCP1"})
		if err != nil {
			t.Fatal(err)
		}
		tr := newTrap(t)
		e := newEnv(t, s, func(_ *rest.Config, d *rest.Deps) {
			d.Panels = []links.Panel{whm.NewCPanel(whm.Options{AllowLoopback: true}), whm.NewWPSquared(whm.Options{AllowLoopback: true})}
		})
		var srv links.Server
		e.staff(http.MethodPost, "/api/v1/servers", map[string]any{"module": "cpanel", "name": "cp1", "hostname": cp1.Host(),
			"port": cp1.Port(), "secure": false, "verify_tls": false, "api_token": "TOKENCP1"}, http.StatusCreated, &srv)
		path := fmt.Sprintf("/api/v1/servers/%d", srv.ID)

		refused := map[string]map[string]any{
			"port to the trap":        {"port": tr.port()},
			"hostname and port":       {"hostname": "localhost", "port": tr.port()},
			"an empty token":          {"port": tr.port(), "api_token": ""},
			"https on":                {"secure": true},
			"certificate check on":    {"verify_tls": true},
			"another user":            {"username": "reseller1"},
			"with other fields":       {"name": "renamed", "active": false, "port": tr.port()},
			"a blank token (trimmed)": {"port": tr.port(), "api_token": "   "},
		}
		for name, body := range refused {
			resp, data := e.request(http.MethodPatch, path, e.token, body)
			got := e.wantError(resp, data, http.StatusUnprocessableEntity, links.EUNPROCESSABLE, "api_token")
			if !strings.Contains(got.Error.Message, "API token") {
				t.Fatalf("%s: message %q does not say what to send", name, got.Error.Message)
			}
		}
		var after links.Server
		e.staff(http.MethodGet, path, nil, http.StatusOK, &after)
		if after.Name != "cp1" || after.Port != cp1.Port() || after.Hostname != cp1.Host() || after.Secure || after.VerifyTLS ||
			after.Username != "root" || !after.Active {
			t.Fatalf("a refused patch wrote something: %+v", after)
		}

		// The dashboard sends every field: the same values need no token.
		e.staff(http.MethodPatch, path, map[string]any{"name": "cp1-renamed", "hostname": strings.ToUpper(cp1.Host()),
			"port": cp1.Port(), "secure": false, "verify_tls": false, "username": "root", "active": true}, http.StatusOK, &after)
		if after.Name != "cp1-renamed" {
			t.Fatalf("rename: %+v", after)
		}
		var res rest.ServerTestResult
		e.staff(http.MethodPost, path+"/test", nil, http.StatusOK, &res)
		if !res.OK {
			t.Fatalf("the server still at its own address fails its test: %+v", res)
		}
		if seen := tr.seen(); len(seen) != 0 {
			t.Fatalf("the trap got %d requests before any re-point was allowed: %q", len(seen), seen)
		}

		// With a new token the re-point is allowed, and only the new token travels there.
		e.staff(http.MethodPatch, path, map[string]any{"port": tr.port(), "api_token": "NEWTOKEN"}, http.StatusOK, &after)
		if after.Port != tr.port() || after.SupportsLinks != nil {
			t.Fatalf("re-point with token: %+v", after)
		}
		e.staff(http.MethodPost, path+"/test", nil, http.StatusOK, &res)
		seen := tr.seen()
		if len(seen) == 0 {
			t.Fatal("the test connection did not reach the new address: the trap proves nothing")
		}
		for _, a := range seen {
			if strings.Contains(a, "TOKENCP1") || a != "whm root:NEWTOKEN" {
				t.Fatalf("the new address got %q", a)
			}
		}
	})
}
