package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of run.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type printed struct {
	Control string          `json:"control"`
	Servers []printedServer `json:"servers"`
}

// startRun runs the command until the test ends and returns what it printed.
func startRun(t *testing.T, args []string, env map[string]string) printed {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, func(k string) string { return env[k] }, &out, &errOut) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("run did not stop")
		}
	})
	end := time.Now().Add(20 * time.Second)
	for {
		var p printed
		if s := out.String(); strings.HasSuffix(s, "}\n") && json.Unmarshal([]byte(s), &p) == nil {
			return p
		}
		select {
		case err := <-done:
			t.Fatalf("run ended early: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(end) {
			t.Fatalf("no output; stderr:\n%s", errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunStartsTheRequestedServers(t *testing.T) {
	p := startRun(t, []string{"-servers", "2", "-old", "1", "-wpsquared", "1", "-accounts", "3", "-control", "127.0.0.1:0", "-json"},
		map[string]string{"WHMSIM_TOKEN_PREFIX": "ENVTOKEN"})
	if len(p.Servers) != 4 {
		t.Fatalf("servers = %+v", p.Servers)
	}
	want := []struct{ name, module, version, profile string }{
		{"cpanel1", "cpanel", "11.120.0.16", "STANDARD"},
		{"cpanel2", "cpanel", "11.120.0.16", "STANDARD"},
		{"old1", "cpanel", "11.50.0.1", "STANDARD"},
		{"wp1", "wpsquared", "11.136.1.7", "WP2"},
	}
	for i, w := range want {
		s := p.Servers[i]
		if s.Name != w.name || s.Module != w.module || s.Version != w.version || s.Profile != w.profile ||
			s.Token != "ENVTOKEN-"+w.name || s.Accounts != 3 {
			t.Errorf("server %d = %+v", i, s)
		}
	}
	// The server answers with its token.
	req, _ := http.NewRequest(http.MethodPost, p.Servers[0].URL+"/json-api/listaccts?api.version=1", nil)
	req.Header.Set("Authorization", "whm root:"+p.Servers[0].Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"user":"cp1u0003"`) {
		t.Errorf("listaccts = %s", b)
	}
	// The control server lists them.
	resp, err = http.Get(p.Control + "/__sim/servers")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"name":"wp1"`) || strings.Contains(string(b), "ENVTOKEN") {
		t.Errorf("control /__sim/servers = %d %s", resp.StatusCode, b)
	}
}

func TestRunReadsAConfigFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sim.json")
	cfg := `{"seed": 3, "servers": [
		{"name": "edge", "token": "EDGETOKEN", "version": "11.118.0.5",
		 "accounts": [{"user": "zed", "domain": "zed.example"}],
		 "faults": {"latency": "1ms", "refuse_accounts": ["zed"]}}]}`
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startRun(t, []string{"-config", file, "-control", "", "-json"}, nil)
	if len(p.Servers) != 1 || p.Servers[0].Name != "edge" || p.Servers[0].Token != "EDGETOKEN" ||
		p.Servers[0].Version != "11.118.0.5" || p.Control != "" {
		t.Errorf("printed = %+v", p)
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"an unknown flag", []string{"-nope"}, nil},
		{"a stray argument", []string{"extra"}, nil},
		{"a bad environment value", nil, map[string]string{"WHMSIM_SERVERS": "many"}},
		{"an error rate above 1", []string{"-error-rate", "1.5", "-control", ""}, nil},
		{"no servers", []string{"-servers", "0", "-old", "0", "-wpsquared", "0"}, nil},
		{"a missing config file", []string{"-config", "/nonexistent/sim.json"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, func(k string) string { return tt.env[k] }, io.Discard, io.Discard)
			if err == nil {
				t.Error("run succeeded")
			}
		})
	}
}
