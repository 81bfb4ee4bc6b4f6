package whm_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/netguard"
	"github.com/applinks/applinks/api/whm"
)

// countingListener counts the connections a test server accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// versionServer starts a loopback server that answers WHM's version call
// and counts the connections and requests it gets.
func versionServer(t *testing.T) (port int, accepted, requests func() int64) {
	t.Helper()
	var reqs atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		reqs.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"metadata":{"command":"version","result":1,"reason":"OK","version":1},"data":{"version":"11.120.0.16"}}`))
	}))
	cl := &countingListener{Listener: srv.Listener}
	srv.Listener = cl
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).Port, cl.accepted.Load, reqs.Load
}

func loopbackConn(host string, port int) links.ServerConn {
	return links.ServerConn{Name: "panel-7", Hostname: host, Port: port, Username: "root", APIToken: rootToken}
}

// TestLoopbackServersNeedTheFlag dials loopback only: without the flag the
// guard refuses before connecting, whether the server is named by address or
// by a host name that resolves to loopback, and the server sees nothing.
func TestLoopbackServersNeedTheFlag(t *testing.T) {
	dns := startFakeDNS(t)
	for _, host := range []string{"127.0.0.1", "localhost", "::ffff:127.0.0.1", "[::ffff:127.0.0.1]"} {
		t.Run(host, func(t *testing.T) {
			port, accepted, requests := versionServer(t)
			s := loopbackConn(host, port)
			_, err := whm.NewClient(whm.WithResolver(whm.Options{}, dns.resolver)).Version(ctxT(t), s)
			assertFailure(t, err, failureCase{kind: whm.KindAddress})
			var ae *netguard.AddressError
			if !errors.As(err, &ae) || ae.Class != "loopback" {
				t.Errorf("want a loopback *AddressError, got %T %v", err, err)
			}
			for _, want := range []string{"127.0.0.1", "loopback", netguard.AllowLoopbackEnv, net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(port))} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q does not mention %q", err, want)
				}
			}
			if n, r := accepted(), requests(); n != 0 || r != 0 {
				t.Fatalf("the refused server accepted %d connections and got %d requests", n, r)
			}
			v, err := whm.NewClient(whm.WithResolver(whm.Options{AllowLoopback: true}, dns.resolver)).Version(ctxT(t), s)
			if err != nil || v != "11.120.0.16" {
				t.Fatalf("with the flag: %q, %v", v, err)
			}
			if requests() != 1 {
				t.Fatalf("with the flag the server got %d requests", requests())
			}
		})
	}
	if q := dns.queries(); len(q) != 0 {
		t.Errorf("localhost went to DNS: %v", q)
	}
}

// fakeDNS is a DNS server on loopback that answers every query "no such
// name" and records it, so that lookups in tests never leave the host.
type fakeDNS struct {
	resolver *net.Resolver
	mu       sync.Mutex
	names    []string
}

func (d *fakeDNS) queries() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.names...)
}

func startFakeDNS(t *testing.T) *fakeDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	d := &fakeDNS{}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			name, answer := nxdomain(buf[:n])
			if answer == nil {
				continue
			}
			d.mu.Lock()
			d.names = append(d.names, name)
			d.mu.Unlock()
			_, _ = pc.WriteTo(answer, from)
		}
	}()
	server := pc.LocalAddr().String()
	d.resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		// Whatever resolv.conf names, the query goes to the fake server.
		var dialer net.Dialer
		return dialer.DialContext(ctx, "udp", server)
	}}
	return d
}

// nxdomain parses a DNS query's question and builds the NXDOMAIN answer.
func nxdomain(q []byte) (string, []byte) {
	if len(q) < 12 {
		return "", nil
	}
	var labels []string
	i := 12
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return "", nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	end := i + 1 + 4 // the root label, then type and class
	if end > len(q) {
		return "", nil
	}
	a := append([]byte(nil), q[:end]...)
	a[2] = 0x80 | q[2]&0x01 // a response, recursion desired as asked
	a[3] = 0x80 | 3         // recursion available, NXDOMAIN
	a[4], a[5] = 0, 1       // one question, no other records
	clear(a[6:12])
	return strings.Join(labels, "."), a
}
