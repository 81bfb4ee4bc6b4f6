package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for the service's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// lookupIn is os.LookupEnv over a test's environment.
func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// startService runs the real service with env until the test ends and
// returns its base URL and its stdout and stderr.
func startService(t *testing.T, env map[string]string) (string, *syncBuffer, *syncBuffer) {
	t.Helper()
	l, stdout, stderr := startListening(t, env)
	return "http://" + l.API, stdout, stderr
}

// startListening is startService returning the bound addresses. Without
// APPLINKS_METRICS_ADDR in env the metrics listen on a free loopback port,
// never on the default 9100 that another process may hold.
func startListening(t *testing.T, env map[string]string) (listening, *syncBuffer, *syncBuffer) {
	t.Helper()
	if _, set := env["APPLINKS_METRICS_ADDR"]; !set {
		env = maps.Clone(env)
		env["APPLINKS_METRICS_ADDR"] = "127.0.0.1:0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	addr := make(chan listening, 1)
	done := make(chan error, 1)
	go func() {
		done <- runWith(ctx, nil, lookupIn(env), stdout, stderr, func(l listening) { addr <- l })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v on shutdown", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("the service did not shut down")
		}
	})
	select {
	case l := <-addr:
		return l, stdout, stderr
	case err := <-done:
		done <- nil // ended: nothing for the cleanup to wait for
		t.Fatalf("run: %v\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatal("the service did not start")
	}
	return listening{}, nil, nil
}

func TestRunServesTheAPIAndPrintsTheGeneratedPasswordOnce(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"APPLINKS_ADDR": "127.0.0.1:0", "APPLINKS_DATA_DIR": dir, "APPLINKS_SHUTDOWN_GRACE": "5s"}
			if dialect == store.DialectMySQL {
				env["APPLINKS_DATABASE_URL"] = storetest.URL(t, dialect)
				env["APPLINKS_SECRET_KEY"] = strings.Repeat("ab", 32)
			}
			base, stdout, stderr := startService(t, env)
			m := regexp.MustCompile(`Password: (\S+)`).FindStringSubmatch(stdout.String())
			if m == nil {
				t.Fatalf("no generated password on stdout: %q", stdout.String())
			}
			password := m[1]
			if strings.Contains(stderr.String(), password) {
				t.Fatal("the generated password reached the logs")
			}
			body, _ := json.Marshal(map[string]string{"email": "admin@example.com", "password": password})
			resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var login struct{ Token string }
			_ = json.NewDecoder(resp.Body).Decode(&login)
			resp.Body.Close()
			if resp.StatusCode != 200 || login.Token == "" {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/servers", nil)
			req.Header.Set("Authorization", "Bearer "+login.Token)
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var servers struct {
				Total int
				Items []struct{ Name string }
			}
			_ = json.NewDecoder(resp.Body).Decode(&servers)
			resp.Body.Close()
			if resp.StatusCode != 200 || servers.Total != 0 {
				t.Fatalf("servers of a new database: %d %+v", resp.StatusCode, servers)
			}
			// Without the demo, /__sim/ is no simulator and no SPA page.
			for p, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/__sim/": 404, "/__sim/servers": 404} {
				resp, err := http.Get(base + p)
				if err != nil || resp.StatusCode != want {
					t.Fatalf("%s: %v %v, want %d", p, resp, err, want)
				}
				resp.Body.Close()
			}
			if dialect == store.DialectSQLite {
				if _, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil {
					t.Fatalf("no key file created for SQLite: %v", err)
				}
			}
		})
	}
}

func TestConfigIsValidatedWithClearMessages(t *testing.T) {
	cases := map[string]map[string]string{
		"APPLINKS_PUBLIC_URL":             {"APPLINKS_PUBLIC_URL": "billing.example.com"},
		"APPLINKS_SECRET_KEY":             {"APPLINKS_SECRET_KEY": "too-short"},
		"required with MySQL":             {"APPLINKS_DATABASE_URL": "root@tcp(127.0.0.1:3306)/x"},
		"APPLINKS_SSO_TOKEN_TTL":          {"APPLINKS_SSO_TOKEN_TTL": "5m"},
		"APPLINKS_WORKERS":                {"APPLINKS_WORKERS": "0"},
		"APPLINKS_LINK_PREFIX":            {"APPLINKS_LINK_PREFIX": "bad prefix"},
		"APPLINKS_JWT_SECRET":             {"APPLINKS_JWT_SECRET": "short"},
		"APPLINKS_STAFF_TOKEN_TTL":        {"APPLINKS_STAFF_TOKEN_TTL": "soon"},
		"APPLINKS_PPROF_ADDR":             {"APPLINKS_PPROF_ADDR": "6060"},
		"APPLINKS_ALLOW_LOOPBACK_SERVERS": {"APPLINKS_ALLOW_LOOPBACK_SERVERS": "maybe"},
		"APPLINKS_METRICS_ADDR":           {"APPLINKS_METRICS_ADDR": "9100"},
		"APPLINKS_VERIFY_INTERVAL":        {"APPLINKS_VERIFY_INTERVAL": "10s"},
		"APPLINKS_ROTATION_GRACE":         {"APPLINKS_ROTATION_GRACE": "-1s"},
		"APPLINKS_PASSWORD_COST":          {"APPLINKS_PASSWORD_COST": "4"},
	}
	for want, env := range cases {
		t.Run(want, func(t *testing.T) {
			_, err := loadConfig(lookupIn(env))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("loadConfig = %v, want an error mentioning %s", err, want)
			}
		})
	}
	cfg, err := loadConfig(lookupIn(nil))
	if err != nil || cfg.Addr != ":8080" || cfg.PerServerCap != 4 || cfg.Demo || cfg.AllowLoopbackServers || cfg.MetricsAddr != "127.0.0.1:9100" ||
		cfg.VerifyInterval != 24*time.Hour || cfg.PasswordCost != 10 || cfg.RotationGrace != 2*time.Minute {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
	// Set and empty turns the metrics listener off; bad ports are refused.
	cfg, err = loadConfig(lookupIn(map[string]string{"APPLINKS_METRICS_ADDR": ""}))
	if err != nil || cfg.MetricsAddr != "" {
		t.Fatalf("empty APPLINKS_METRICS_ADDR: %q %v", cfg.MetricsAddr, err)
	}
	for _, bad := range []string{"127.0.0.1:http", "127.0.0.1:70000", "localhost"} {
		if _, err := loadConfig(lookupIn(map[string]string{"APPLINKS_METRICS_ADDR": bad})); err == nil || !strings.Contains(err.Error(), "APPLINKS_METRICS_ADDR") {
			t.Errorf("APPLINKS_METRICS_ADDR=%q: %v", bad, err)
		}
	}
}

func TestProfilesAreServedOnlyOnTheirOwnListener(t *testing.T) {
	pprofAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	base, _, _ := startService(t, map[string]string{"APPLINKS_ADDR": "127.0.0.1:0", "APPLINKS_DATA_DIR": t.TempDir(),
		"APPLINKS_PPROF_ADDR": pprofAddr, "APPLINKS_ADMIN_PASSWORD": "a-long-enough-password"})
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("http://" + pprofAddr + "/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof index = %d %.200q", code, body)
	}
	if code, body := get(base + "/debug/pprof/"); code == http.StatusOK && strings.Contains(body, "goroutine") {
		t.Errorf("the API listener serves the profiles: %d", code)
	}
}

func TestMetricsAreServedOnlyOnTheirOwnListener(t *testing.T) {
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	l, _, _ := startListening(t, map[string]string{"APPLINKS_ADDR": "127.0.0.1:0", "APPLINKS_DATA_DIR": t.TempDir(),
		"APPLINKS_ADMIN_PASSWORD": "a-long-enough-password"})
	if l.Metrics == "" || l.Metrics == l.API {
		t.Fatalf("listeners: %+v", l)
	}
	if code, _ := get("http://" + l.API + "/healthz"); code != http.StatusOK {
		t.Fatalf("healthz = %d", code)
	}
	code, body := get("http://" + l.Metrics + "/metrics")
	if code != http.StatusOK || !strings.Contains(body, `applinks_http_requests_total{method="GET",route="/healthz",status="200"}`) ||
		!strings.Contains(body, "applinks_provisioning_") {
		t.Errorf("metrics listener: %d %.300q", code, body)
	}
	if code, body := get("http://" + l.API + "/metrics"); code != http.StatusNotFound || !strings.Contains(body, `"not_found"`) {
		t.Errorf("the API listener answers /metrics: %d %.200q", code, body)
	}
	if code, _ := get("http://" + l.Metrics + "/api/v1/auth/me"); code != http.StatusNotFound {
		t.Errorf("the metrics listener serves the API: %d", code)
	}

	// Set and empty: no metrics listener at all.
	off, _, stderr := startListening(t, map[string]string{"APPLINKS_ADDR": "127.0.0.1:0", "APPLINKS_DATA_DIR": t.TempDir(),
		"APPLINKS_ADMIN_PASSWORD": "a-long-enough-password", "APPLINKS_METRICS_ADDR": ""})
	if off.Metrics != "" || strings.Contains(stderr.String(), "metrics listening") {
		t.Errorf("metrics listener with APPLINKS_METRICS_ADDR empty: %+v", off)
	}
	if code, _ := get("http://" + off.API + "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics with the listener off = %d", code)
	}
}

func TestMaskedConfigHidesSecrets(t *testing.T) {
	cfg := Config{SecretKey: "supersecretkey", AdminPassword: "hunter2", DatabaseURL: "app:dbpass@tcp(db:3306)/applinks", JWTSecret: "jwtjwtjwt"}
	out := fmt.Sprint(cfg.masked()...)
	for _, s := range []string{"supersecretkey", "hunter2", "dbpass", "jwtjwtjwt"} {
		if strings.Contains(out, s) {
			t.Fatalf("masked config shows %q: %s", s, out)
		}
	}
	if !strings.Contains(out, "app:***@tcp(db:3306)/applinks") {
		t.Fatalf("DSN not masked as expected: %s", out)
	}
	if got := maskDSN("mysql://app:pw@tcp(db)/x", ""); got != "mysql://app:***@tcp(db)/x" {
		t.Fatalf("maskDSN = %s", got)
	}
}
