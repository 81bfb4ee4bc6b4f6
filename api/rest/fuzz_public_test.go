package rest_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/rest"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/sso"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// publicHandler is the real router over a fresh SQLite database with one
// admin, one client owner (portal user) and the SSO service, with rate
// limits raised so that fuzzing reaches the handlers rather than the
// limiter.
func publicHandler(f *testing.F) http.Handler {
	f.Helper()
	ctx := context.Background()
	db := storetest.New(f, store.DialectSQLite)
	role, err := db.EnsureFullAdministrator(ctx)
	if err != nil {
		f.Fatal(err)
	}
	hash, _ := secret.HashPassword(adminPassword, bcrypt.MinCost)
	if _, err := db.CreateAdmin(ctx, adminEmail, "Admin", hash, role.ID); err != nil {
		f.Fatal(err)
	}
	allow := true
	if _, err := db.CreateClient(ctx, links.ClientInput{Name: "Acme", Email: "billing@acme.test", Status: links.ClientActive, AllowSSO: &allow,
		Owner: &links.OwnerInput{Email: "jane@acme.test", Name: "Jane", Password: "portal-password-1"}}); err != nil {
		f.Fatal(err)
	}
	high := sso.Limits{ClickPerIP: 1e9, ClickPerCredential: 1e9, RedeemPerIP: 1e9, TokenAPIPerIP: 1e9, TokenAPIPerCred: 1e9,
		PortalLoginPerIP: 1e9, Burst: 1 << 30, PerCredentialBurst: 1 << 30, PanelSessionPerUser: 1e9}
	svc := sso.New(db, sso.Config{PublicURL: "http://127.0.0.1", Limits: high})
	cfg := rest.Config{PublicURL: "http://127.0.0.1", JWTKey: testJWTKey, LoginPerMinute: 1e9, PasswordCost: bcrypt.MinCost}
	deps := rest.Deps{Store: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SPA: testSPA, SSO: svc}
	return rest.New(cfg, deps).Handler()
}

// checkAnswer fails on a 5xx and on an error answer that is not the
// {"error":{"code","message"}} model.
func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s answered %d: %s", what, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("%s answered %d without a JSON error: %q", what, rec.Code, rec.Body)
		}
	}
}

// FuzzStaffLogin throws arbitrary bodies and content types at the staff
// sign-in: never a 5xx, always the JSON error model, and a token only for
// the real credentials.
func FuzzStaffLogin(f *testing.F) {
	h := publicHandler(f)
	f.Add(`{"email":"admin@example.com","password":"admin-password-1"}`, "application/json")
	f.Add(`{"email":"admin@example.com","password":"wrong"}`, "application/json")
	f.Add(`{"email":1,"password":[]}`, "application/json")
	f.Add(`{"email":"`+strings.Repeat("a", 5000)+`@x.y","password":"p"}`, "application/json; charset=utf-8")
	f.Add(`{"email":"admin@example.com","password":"admin-password-1","extra":true}`, "application/json")
	f.Add(`{`, "application/json")
	f.Add(`email=admin@example.com&password=admin-password-1`, "application/x-www-form-urlencoded")
	f.Add("null", "")
	f.Add("\x00\xff", "text/plain")
	f.Fuzz(func(t *testing.T, body, contentType string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, "staff login", rec)
		if rec.Code == http.StatusOK && !strings.Contains(body, adminPassword) {
			t.Fatalf("signed in without the password: %q", body)
		}
	})
}

// FuzzPortalLogin does the same to the client-area sign-in, with arbitrary
// Origin headers (its cross-origin defence runs first).
func FuzzPortalLogin(f *testing.F) {
	h := publicHandler(f)
	f.Add(`{"email":"jane@acme.test","password":"portal-password-1"}`, "application/json", "")
	f.Add(`{"email":"jane@acme.test","password":"portal-password-1"}`, "application/json", "http://127.0.0.1")
	f.Add(`{"email":"jane@acme.test","password":"x"}`, "application/json", "https://evil.example")
	f.Add(`{"email":["x"],"password":{}}`, "application/json", "null")
	f.Add(`{"email":"`+strings.Repeat("é", 3000)+`"}`, "application/json", "")
	f.Add(`[]`, "text/plain", "http://127.0.0.1")
	f.Add("", "multipart/form-data; boundary=zz", "")
	f.Fuzz(func(t *testing.T, body, contentType, origin string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/portal/login", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, "portal login", rec)
		if rec.Code == http.StatusOK && !strings.Contains(body, "portal-password-1") {
			t.Fatalf("signed in without the password: %q", body)
		}
	})
}

// FuzzTrustedApplicationToken throws arbitrary Authorization headers and
// bodies at the trusted-application token endpoint: never a 5xx, never a
// token without valid credentials.
func FuzzTrustedApplicationToken(f *testing.F) {
	h := publicHandler(f)
	f.Add("Basic YWtfeDpzZWNyZXQ=", `{"client_id":1,"destination":"invoice_history"}`)
	f.Add("Basic !!!", `{"client_id":"1"}`)
	f.Add("Bearer x", `{"destination":"custom","redirect_path":"//evil.example"}`)
	f.Add("", `{`)
	f.Add("basic "+strings.Repeat("A", 10000), "null")
	f.Fuzz(func(t *testing.T, authorization, body string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/sso/tokens", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, "trusted-application token", rec)
		if rec.Code < 300 {
			t.Fatalf("a token without valid credentials: %d %s", rec.Code, rec.Body)
		}
	})
}
