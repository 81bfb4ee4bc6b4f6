// Package whmsim simulates many cPanel & WHM and WP Squared servers for tests,
// the demo and benchmarks. Each simulated server listens on its own loopback
// port and speaks the WHM API 1 subset of WHM-PROTOCOL.md (discovery,
// integration links and groups, batch, listaccts, create_user_session) with
// cPanel's envelope and wording, its own API token, version, profile and
// accounts. Faults (latency, panel errors, hangs, HTTP 500, HTML pages,
// refused connections, refused accounts) can be set at start and at run time,
// and every server records its calls and the peak number of requests in
// flight.
//
// A control handler (Sim.ControlHandler) serves inspection JSON, runtime fault
// setting, one HTML page per account listing its links the way cPanel shows
// them, and the click: the autologin POST that cPanel makes to the billing
// system, with its retry protocol.
package whmsim

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Sim is a set of simulated WHM servers. It is safe for concurrent use.
type Sim struct {
	log         *slog.Logger
	seed        uint64
	retryScale  float64
	clickClient *http.Client

	mu      sync.Mutex
	servers map[string]*Server
	order   []string
	closed  bool
	done    chan struct{}
}

// Option configures a Sim.
type Option func(*Sim)

// WithSeed sets the seed of the random numbers behind fault injection, jitter
// and XIDs; each server derives its own stream from it. The default is 1, so
// runs are repeatable.
func WithSeed(seed uint64) Option { return func(s *Sim) { s.seed = seed } }

// WithRetryScale scales the waits of the click's retry protocol ({"retry":N}
// waits N seconds times scale); tests use a small scale. The default is 1.
func WithRetryScale(scale float64) Option {
	return func(s *Sim) {
		if scale >= 0 {
			s.retryScale = scale
		}
	}
}

// WithClickClient sets the HTTP client the click uses to call autologin
// endpoints. The default verifies TLS, follows no redirects and times out
// after 10 seconds.
func WithClickClient(c *http.Client) Option { return func(s *Sim) { s.clickClient = c } }

// New returns an empty simulator. A nil logger discards logs.
func New(logger *slog.Logger, opts ...Option) *Sim {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Sim{
		log:        logger,
		seed:       1,
		retryScale: 1,
		clickClient: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		servers: make(map[string]*Server),
		done:    make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Start starts one simulated server and returns it once it accepts
// connections. Its name must be unique in the Sim.
func (s *Sim) Start(cfg ServerConfig) (*Server, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errors.New("whmsim: the simulator is closed")
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("whm%d", len(s.order)+1)
	}
	if _, dup := s.servers[cfg.Name]; dup {
		s.mu.Unlock()
		return nil, fmt.Errorf("whmsim: a server named %q already exists", cfg.Name)
	}
	index := len(s.order)
	// Reserve the name while the listener starts.
	s.servers[cfg.Name] = nil
	s.order = append(s.order, cfg.Name)
	s.mu.Unlock()

	srv, err := newServer(s, cfg, index)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || s.closed {
		delete(s.servers, cfg.Name)
		s.order = slices.DeleteFunc(s.order, func(n string) bool { return n == cfg.Name })
		if err == nil {
			_ = srv.Stop()
			err = errors.New("whmsim: the simulator is closed")
		}
		return nil, err
	}
	s.servers[cfg.Name] = srv
	s.log.Info("whmsim: server started", "server", srv.Name(), "url", srv.URL(),
		"version", srv.cfg.Version, "profile", srv.cfg.Profile, "accounts", len(cfg.Accounts))
	return srv, nil
}

// Server returns the server with the given name.
func (s *Sim) Server(name string) (*Server, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	srv := s.servers[name]
	return srv, srv != nil
}

// Servers returns the servers in the order they were started.
func (s *Sim) Servers() []*Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Server, 0, len(s.order))
	for _, n := range s.order {
		if srv := s.servers[n]; srv != nil {
			out = append(out, srv)
		}
	}
	return out
}

// Close stops every server, waits for their handlers to return and cancels
// pending click retries. It is safe to call more than once.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	var servers []*Server
	for _, n := range s.order {
		if srv := s.servers[n]; srv != nil {
			servers = append(servers, srv)
		}
	}
	s.mu.Unlock()
	var errs []error
	for _, srv := range servers {
		errs = append(errs, srv.Stop())
	}
	return errors.Join(errs...)
}

// lookup finds a server by name, case-insensitively as a convenience for
// hand-typed URLs.
func (s *Sim) lookup(name string) *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	if srv := s.servers[name]; srv != nil {
		return srv
	}
	for n, srv := range s.servers {
		if srv != nil && strings.EqualFold(n, name) {
			return srv
		}
	}
	return nil
}
