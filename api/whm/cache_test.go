package whm

import (
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
