package whm

import (
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
)

func TestHTTPClientCacheFollowsTheSettings(t *testing.T) {
	c := NewClient(Options{})
	s := links.ServerConn{ID: 7, Hostname: "whm.example.com", Port: 2087, Secure: true, VerifyTLS: true, Username: "root", APIToken: "TOKEN-A"}
	first := c.httpClient(s)
	if c.httpClient(s) != first {
		t.Fatal("the same settings got a new client")
	}
	changes := map[string]func(links.ServerConn) links.ServerConn{
		"token":      func(s links.ServerConn) links.ServerConn { s.APIToken = "TOKEN-B"; return s },
		"host":       func(s links.ServerConn) links.ServerConn { s.Hostname = "whm2.example.com"; return s },
		"port":       func(s links.ServerConn) links.ServerConn { s.Port = 2086; return s },
		"verify TLS": func(s links.ServerConn) links.ServerConn { s.VerifyTLS = false; return s },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			if c.httpClient(change(s)) == first {
				t.Errorf("a changed %s reused the old client", name)
			}
		})
	}
	// Clients built for older settings of server 7 are dropped: one remains.
	c.mu.Lock()
	n := len(c.conns)
	c.mu.Unlock()
	if n != 1 {
		t.Errorf("%d cached clients for one server", n)
	}
	// Another server keeps its own client.
	other := s
	other.ID = 8
	c.httpClient(other)
	c.httpClient(s)
	c.mu.Lock()
	n = len(c.conns)
	c.mu.Unlock()
	if n != 2 {
		t.Errorf("%d cached clients for two servers", n)
	}
}

func TestLinkArgsCacheKeysOnEveryField(t *testing.T) {
	var c sharedArgsCache
	l := IntegrationLink{App: "billing_x", Label: "Invoices", Order: 2, GroupID: "billing", URL: "https://b.example/portal"}
	first := c.get(l)
	if c.get(l) != first {
		t.Fatal("the same link was encoded again")
	}
	if first.encoded != NewSharedArgs(l.sharedArgs()).encoded {
		t.Fatalf("cached encoding %q differs from a fresh one", first.encoded)
	}
	changed := l
	changed.Label = "Bills"
	if got := c.get(changed); got == first || !strings.Contains(got.encoded, "Bills") {
		t.Fatalf("a relabelled link got %q", got.encoded)
	}
	for i := range maxCachedLinks * 2 {
		c.get(IntegrationLink{App: "app", Order: i})
	}
	if n := c.n.Load(); n > maxCachedLinks {
		t.Fatalf("the cache holds %d links, the bound is %d", n, maxCachedLinks)
	}
	size := 0
	c.m.Range(func(any, any) bool { size++; return true })
	if size > maxCachedLinks {
		t.Fatalf("the cache holds %d links, the bound is %d", size, maxCachedLinks)
	}
}
