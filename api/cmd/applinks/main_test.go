package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

// freePorts returns the first of n consecutive ports free on 127.0.0.1, for
// the demo's simulated servers (which take the ports from
// APPLINKS_DEMO_SIM_PORT on). They are chosen below Linux's ephemeral range
// (32768 and up), where the other tests' connections take theirs: an
// ephemeral base could see the ports after it taken meanwhile.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	for range 100 {
		base := 20000 + rand.IntN(12000-n)
		var lns []net.Listener
		for i := range n {
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base+i)))
			if err != nil {
				break
			}
			lns = append(lns, ln)
		}
		for _, ln := range lns {
			ln.Close()
		}
		if len(lns) == n {
			return base
		}
	}
	t.Fatalf("no %d consecutive free ports found", n)
	return 0
}

// startService runs the real service with env until the test ends and
// returns its base URL and its stdout and stderr.
func startService(t *testing.T, env map[string]string) (string, *syncBuffer, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runWith(ctx, nil, func(k string) string { return env[k] }, stdout, stderr, func(a string) { addr <- a })
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
	case a := <-addr:
		return "http://" + a, stdout, stderr
	case err := <-done:
		done <- nil // ended: nothing for the cleanup to wait for
		t.Fatalf("run: %v\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatal("the service did not start")
	}
	return "", nil, nil
}

func TestRunServesTheAPIAndPrintsTheGeneratedPasswordOnce(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{
				"APPLINKS_ADDR": "127.0.0.1:0", "APPLINKS_DATA_DIR": dir, "APPLINKS_DEMO": "true",
				"APPLINKS_ALLOW_LOOPBACK_SERVERS": "true",
				"APPLINKS_DEMO_SIM_PORT":          fmt.Sprint(freePorts(t, len(demoServers))), "APPLINKS_SHUTDOWN_GRACE": "5s",
			}
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
			if servers.Total != len(demoServers) {
				t.Fatalf("demo servers: %+v", servers)
			}
			for _, p := range []string{"/healthz", "/readyz", "/__sim/servers"} {
				resp, err := http.Get(base + p)
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("%s: %v %v", p, resp, err)
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
		"APPLINKS_PUBLIC_URL":                          {"APPLINKS_PUBLIC_URL": "billing.example.com"},
		"APPLINKS_SECRET_KEY":                          {"APPLINKS_SECRET_KEY": "too-short"},
		"required with MySQL":                          {"APPLINKS_DATABASE_URL": "root@tcp(127.0.0.1:3306)/x"},
		"APPLINKS_SSO_TOKEN_TTL":                       {"APPLINKS_SSO_TOKEN_TTL": "5m"},
		"APPLINKS_WORKERS":                             {"APPLINKS_WORKERS": "0"},
		"APPLINKS_LINK_PREFIX":                         {"APPLINKS_LINK_PREFIX": "bad prefix"},
		"APPLINKS_JWT_SECRET":                          {"APPLINKS_JWT_SECRET": "short"},
		"APPLINKS_STAFF_TOKEN_TTL":                     {"APPLINKS_STAFF_TOKEN_TTL": "soon"},
		"APPLINKS_PPROF_ADDR":                          {"APPLINKS_PPROF_ADDR": "6060"},
		"APPLINKS_ALLOW_LOOPBACK_SERVERS=true as well": {"APPLINKS_DEMO": "true"},
		"APPLINKS_ALLOW_LOOPBACK_SERVERS":              {"APPLINKS_ALLOW_LOOPBACK_SERVERS": "maybe"},
	}
	for want, env := range cases {
		t.Run(want, func(t *testing.T) {
			_, err := loadConfig(func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("loadConfig = %v, want an error mentioning %s", err, want)
			}
		})
	}
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil || cfg.Addr != ":8080" || cfg.PerServerCap != 4 || cfg.Demo || cfg.AllowLoopbackServers {
		t.Fatalf("defaults: %+v %v", cfg, err)
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
