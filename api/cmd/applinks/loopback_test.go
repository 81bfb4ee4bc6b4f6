package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestLoopbackServersFollowTheSetting runs the service with and without
// APPLINKS_ALLOW_LOOPBACK_SERVERS against a loopback listener standing for a
// server: without the setting, "Test connection" is refused before any
// connection and says why; with it, the request arrives.
func TestLoopbackServersFollowTheSetting(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprint("allow=", allow), func(t *testing.T) {
			var requests atomic.Int64
			panel := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				requests.Add(1)
				http.Error(w, "no", http.StatusForbidden)
			}))
			t.Cleanup(panel.Close)
			env := map[string]string{"APPLINKS_ADDR": "127.0.0.1:0", "APPLINKS_DATA_DIR": t.TempDir(),
				"APPLINKS_ADMIN_PASSWORD": "a-long-enough-password", "APPLINKS_SHUTDOWN_GRACE": "5s"}
			if allow {
				env["APPLINKS_ALLOW_LOOPBACK_SERVERS"] = "true"
			}
			base, _, _ := startService(t, env)
			token := staffLogin(t, base, "a-long-enough-password")
			var srv struct{ ID int64 }
			call(t, base, token, http.MethodPost, "/api/v1/servers", map[string]any{"module": "cpanel", "name": "cp1",
				"hostname": "127.0.0.1", "port": panel.Listener.Addr().(*net.TCPAddr).Port, "secure": false,
				"api_token": "TOKEN-CP1"}, http.StatusCreated, &srv)
			var res struct {
				OK    bool
				Error string
			}
			call(t, base, token, http.MethodPost, fmt.Sprintf("/api/v1/servers/%d/test", srv.ID), nil, http.StatusOK, &res)
			switch {
			case !allow && (res.OK || !strings.Contains(res.Error, "loopback") || !strings.Contains(res.Error, "APPLINKS_ALLOW_LOOPBACK_SERVERS")):
				t.Errorf("without the setting: %+v, want a loopback refusal naming the setting", res)
			case !allow && requests.Load() != 0:
				t.Errorf("without the setting the listener got %d requests", requests.Load())
			case allow && (requests.Load() == 0 || !strings.Contains(res.Error, "HTTP 403")):
				t.Errorf("with the setting: %+v after %d requests, want the listener's 403", res, requests.Load())
			}
		})
	}
}

func staffLogin(t *testing.T, base, password string) string {
	t.Helper()
	var login struct{ Token string }
	call(t, base, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "admin@example.com", "password": password},
		http.StatusOK, &login)
	return login.Token
}

// call sends a JSON request and decodes the answer, which must have status.
func call(t *testing.T, base, token, method, path string, body any, status int, out any) {
	t.Helper()
	var rd bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd.Reset(b)
	}
	req, _ := http.NewRequest(method, base+path, &rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, resp.StatusCode, status, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, raw)
	}
}
