package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/crypto/bcrypt"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/store"
)

// testJWTKey signs the tokens of the test servers.
var testJWTKey = []byte("test-jwt-key-0123456789abcdef0123456789")

const (
	adminEmail    = "admin@example.com"
	adminPassword = "admin-password-1"
)

// env is one service under test: the real router on a real listener, over
// a fresh database, with a signed-in Full Administrator.
type env struct {
	t     *testing.T
	store *store.Store
	srv   *httptest.Server
	token string
	admin links.Admin
}

// testSPA stands in for the built frontend.
var testSPA = fstest.MapFS{
	"index.html":         {Data: []byte("<!doctype html><div id=root></div>")},
	"assets/app-1a2b.js": {Data: []byte("console.log(1)")},
}

func newEnv(t *testing.T, s *store.Store, mods ...func(*rest.Config, *rest.Deps)) *env {
	t.Helper()
	ctx := context.Background()
	role, err := s.EnsureFullAdministrator(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := secret.HashPassword(adminPassword, bcrypt.MinCost)
	admin, err := s.CreateAdmin(ctx, adminEmail, "Admin", hash, role.ID)
	if err != nil {
		t.Fatal(err)
	}
	cfg := rest.Config{PublicURL: "http://127.0.0.1", JWTKey: testJWTKey, LoginPerMinute: 600, PasswordCost: bcrypt.MinCost}
	deps := rest.Deps{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SPA: testSPA}
	for _, m := range mods {
		m(&cfg, &deps)
	}
	srv := httptest.NewServer(rest.New(cfg, deps).Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, store: s, srv: srv, admin: admin}
	e.token = e.login(adminEmail, adminPassword)
	return e
}

func (e *env) login(email, password string) string {
	e.t.Helper()
	var out rest.LoginResponse
	e.call(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, http.StatusOK, &out)
	return out.Token
}

// request sends a request; body may be nil, a string (sent as is) or a value
// (sent as JSON).
func (e *env) request(method, path, token string, body any, hdr ...string) (*http.Response, []byte) {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// call sends a request with the token, checks the status and decodes the answer into out.
func (e *env) call(method, path, token string, body any, want int, out any) []byte {
	e.t.Helper()
	resp, data := e.request(method, path, token, body)
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
	return data
}

// staff calls as the signed-in admin.
func (e *env) staff(method, path string, body any, want int, out any) []byte {
	e.t.Helper()
	return e.call(method, path, e.token, body, want, out)
}

// wantError checks an error answer: status, code and (when given) field.
func (e *env) wantError(resp *http.Response, data []byte, status int, code, field string) rest.ErrorBody {
	e.t.Helper()
	var body rest.ErrorBody
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, data)
	}
	if err := json.Unmarshal(data, &body); err != nil || body.Error.Message == "" {
		e.t.Fatalf("%s %s: not an error body: %s", resp.Request.Method, resp.Request.URL.Path, data)
	}
	if body.Error.Code != code || (field != "" && body.Error.Field != field) {
		e.t.Fatalf("%s %s: error %+v, want code %s field %q", resp.Request.Method, resp.Request.URL.Path, body.Error, code, field)
	}
	return body
}
