//go:build demo

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/store/storetest"
)

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

// TestDemoSeedsServersAndServesTheSimulatorOnLoopback runs the demo binary's
// service: the simulated servers are in the database and their pages are
// served under /__sim/.
func TestDemoSeedsServersAndServesTheSimulatorOnLoopback(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			env := map[string]string{
				"APPLINKS_ADDR": "127.0.0.1:0", "APPLINKS_DATA_DIR": t.TempDir(), "APPLINKS_DEMO": "true",
				"APPLINKS_ALLOW_LOOPBACK_SERVERS": "true", "APPLINKS_ADMIN_PASSWORD": "a-long-enough-password",
				"APPLINKS_DEMO_SIM_PORT": fmt.Sprint(freePorts(t, len(demoServers))), "APPLINKS_SHUTDOWN_GRACE": "5s",
			}
			if dialect == store.DialectMySQL {
				env["APPLINKS_DATABASE_URL"] = storetest.URL(t, dialect)
				env["APPLINKS_SECRET_KEY"] = strings.Repeat("ab", 32)
			}
			base, stdout, _ := startService(t, env)
			if !strings.Contains(stdout.String(), "/__sim/") {
				t.Errorf("the demo banner does not point at the simulator's pages: %q", stdout.String())
			}
			req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/servers", nil)
			req.Header.Set("Authorization", "Bearer "+demoLogin(t, base))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var servers struct{ Total int }
			_ = json.NewDecoder(resp.Body).Decode(&servers)
			resp.Body.Close()
			if servers.Total != len(demoServers) {
				t.Fatalf("demo servers: %+v", servers)
			}
			resp, err = http.Get(base + "/__sim/servers")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("/__sim/servers: %v %v", resp, err)
			}
			resp.Body.Close()
		})
	}
}

// TestDemoListensOnLoopbackOnly: the simulator's pages sign anyone in, so
// the demo refuses an address other machines could reach.
func TestDemoListensOnLoopbackOnly(t *testing.T) {
	env := map[string]string{"APPLINKS_DEMO": "true", "APPLINKS_ALLOW_LOOPBACK_SERVERS": "true"}
	for addr, ok := range map[string]bool{
		":8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "192.0.2.10:8080": false, "example.com:8080": false,
		"127.0.0.1:8080": true, "127.0.0.2:0": true, "[::1]:8080": true, "localhost:8080": true,
	} {
		env["APPLINKS_ADDR"] = addr
		_, err := loadConfig(lookupIn(env))
		if ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), "APPLINKS_ADDR must be a loopback address")) {
			t.Errorf("APPLINKS_ADDR=%s: %v, want accepted=%v", addr, err, ok)
		}
	}
	if _, err := loadConfig(lookupIn(map[string]string{"APPLINKS_DEMO": "true", "APPLINKS_ADDR": "127.0.0.1:8080"})); err == nil ||
		!strings.Contains(err.Error(), "APPLINKS_ALLOW_LOOPBACK_SERVERS=true as well") {
		t.Errorf("the demo without APPLINKS_ALLOW_LOOPBACK_SERVERS: %v", err)
	}
}

// The demo's simulated panels start empty at every start, while its
// database remembers the links they were given: a restart pushes every
// account of an enabled application again.
func TestTheDemoPushesItsLinksAgainAfterARestart(t *testing.T) {
	env := map[string]string{
		"APPLINKS_ADDR": "127.0.0.1:0", "APPLINKS_DATA_DIR": t.TempDir(), "APPLINKS_DEMO": "true",
		"APPLINKS_ALLOW_LOOPBACK_SERVERS": "true", "APPLINKS_ADMIN_PASSWORD": "a-long-enough-password",
		"APPLINKS_DEMO_SIM_PORT": fmt.Sprint(freePorts(t, len(demoServers))), "APPLINKS_SHUTDOWN_GRACE": "5s",
	}
	t.Run("first start", func(t *testing.T) { // its cleanup stops the service
		base, _, _ := startService(t, env)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/applications/cpanel/enable", nil)
		req.Header.Set("Authorization", "Bearer "+demoLogin(t, base))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("enable: %v %v", resp, err)
		}
		resp.Body.Close()
		waitDemoLinks(t, base, "acme")
	})
	base, _, _ := startService(t, env)
	waitDemoLinks(t, base, "acme")
}

func demoLogin(t *testing.T, base string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": "admin@example.com", "password": "a-long-enough-password"})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var login struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&login)
	return login.Token
}

// waitDemoLinks waits until the account on demo-cpanel-1 carries links.
func waitDemoLinks(t *testing.T, base, user string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/__sim/servers/demo-cpanel-1/accounts")
		if err != nil {
			t.Fatal(err)
		}
		var accounts []struct {
			User  string `json:"user"`
			Links []any  `json:"links"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&accounts)
		resp.Body.Close()
		for _, a := range accounts {
			if a.User == user && len(a.Links) > 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s on demo-cpanel-1 has no links after 30 s", user)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
