package whmsim

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/applinks/applinks/api/links"
)

// Defaults and well-known values of ServerConfig.
const (
	DefaultUsername         = "root"
	DefaultVersion          = "11.120.0.16"
	DefaultWPSquaredVersion = "11.136.1.7"
	DefaultProfile          = "STANDARD"
	ProfileWPSquared        = "WP2"
	OldVersion              = "11.50.0.1" // a version without integration links
)

const (
	integrationLinksSince  = 54 // cPanel & WHM 11.54 added integration links
	serverProfilesSince    = 72 // get_current_profile exists from here on
	maxRequestBody         = 16 << 20
	defaultOrder           = 99999
	defaultAccountDomainTL = "example.test"
)

// ServerConfig describes one simulated server.
type ServerConfig struct {
	// Name identifies the server in the Sim; default "whm<N>".
	Name string `json:"name"`
	// Addr is the listen address; "" means 127.0.0.1 on a free port.
	Addr string `json:"addr,omitempty"`
	// Username is the root user name; default "root".
	Username string `json:"username,omitempty"`
	// Token is root's API token; required.
	Token string `json:"token"`
	// Version is what "version" answers; default 11.120.0.16 (11.136.1.7 on
	// WP Squared). Below 11.54 the integration functions do not exist.
	Version string `json:"version,omitempty"`
	// Profile is the get_current_profile code: "WP2" for WP Squared, anything
	// else for cPanel ("STANDARD" by default; "cpanel" is accepted too).
	Profile string `json:"profile,omitempty"`
	// Accounts are the hosting accounts at start.
	Accounts []Account `json:"accounts,omitempty"`
	// Resellers maps reseller user names to their API tokens. A reseller may
	// act only on accounts it owns.
	Resellers map[string]string `json:"resellers,omitempty"`
	// Faults are the faults in force at start.
	Faults Faults `json:"faults,omitempty"`
}

// Account is one hosting account of a simulated server.
type Account struct {
	User      string `json:"user"`
	Domain    string `json:"domain"`
	Email     string `json:"email"`
	Owner     string `json:"owner"` // a reseller, or "root" (the default)
	Suspended bool   `json:"suspended"`
}

// Link is a stored integration link: every field except the token.
type Link struct {
	App                string `json:"app"`
	Label              string `json:"label"`
	Order              int    `json:"order"`
	GroupID            string `json:"group_id"`
	Implements         string `json:"implements"`
	SubscriberUniqueID string `json:"subscriber_unique_id"`
	AutologinTokenURL  string `json:"autologin_token_url,omitempty"`
	URL                string `json:"url,omitempty"`
	Base64PNGImage     string `json:"base64_png_image,omitempty"`
	Hide               bool   `json:"hide"`
}

// Group is a stored integration link group.
type Group struct {
	ID    string `json:"group_id"`
	Label string `json:"label"`
	Order int    `json:"order"`
}

// Stats are a server's counters since start or the last ResetStats.
type Stats struct {
	// Requests counts HTTP requests to /json-api, a batch counting once.
	Requests int64 `json:"requests"`
	// Calls counts function calls by name; batch sub-commands count under
	// their own names, and "batch" counts the batch requests.
	Calls map[string]int64 `json:"calls"`
	// Failures counts function calls answered with metadata.result=0.
	Failures int64 `json:"failures"`
	// Injected counts injected faults by kind (latency excluded).
	Injected map[string]int64 `json:"injected"`
	// InFlight is the number of requests being handled now.
	InFlight int64 `json:"in_flight"`
	// MaxInFlight is the highest InFlight ever seen.
	MaxInFlight int64 `json:"max_in_flight"`
	// FirstArrival is when the first counted request arrived, LastAnswer
	// when the last one was answered (zero before any).
	FirstArrival time.Time `json:"first_arrival,omitzero"`
	LastAnswer   time.Time `json:"last_answer,omitzero"`
	// AnswerTimes are the answer times (latency and jitter) the API
	// requests were given, in the order of their draws (each request's
	// on arrival); the first maxAnswerTimes only. Not in the JSON of the
	// inspection API, whose listing of every server they would swell.
	AnswerTimes []time.Duration `json:"-"`
}

// maxAnswerTimes bounds Stats.AnswerTimes between two ResetStats.
const maxAnswerTimes = 10000

// account is the stored state of one account.
type account struct {
	Account
	links  map[string]*storedLink
	groups map[string]Group
}

type storedLink struct {
	Link
	token string
}

// keep returns v to store in place of cur: cur itself when they are equal,
// or else a copy. Request arguments are strings over buffers that are
// reused once the request is answered: nothing of them is stored as it is.
func keep(cur, v string) string {
	if v == cur {
		return cur
	}
	return strings.Clone(v)
}

// keep stores l and its token in sl, each string through keep.
func (sl *storedLink) keep(l Link, token string) {
	was := *sl
	*sl = storedLink{Link: l, token: token}
	for _, s := range [...]struct {
		now *string
		was string
	}{
		{&sl.App, was.App}, {&sl.Label, was.Label}, {&sl.GroupID, was.GroupID},
		{&sl.Implements, was.Implements}, {&sl.SubscriberUniqueID, was.SubscriberUniqueID},
		{&sl.AutologinTokenURL, was.AutologinTokenURL}, {&sl.URL, was.URL},
		{&sl.Base64PNGImage, was.Base64PNGImage}, {&sl.token, was.token},
	} {
		*s.now = keep(s.was, *s.now)
	}
}

// Server is one simulated WHM server.
type Server struct {
	sim   *Sim
	cfg   ServerConfig
	minor int // the MAJOR of 11.MAJOR.MINOR.BUILD, e.g. 120

	addr string // host:port, fixed at the first listen
	host string
	port int

	mu       sync.Mutex
	accounts map[string]*account
	order    []string
	faults   Faults
	sessions map[string]string // one-time session id -> user
	httpSrv  *http.Server
	stopped  bool
	serving  sync.WaitGroup // Serve goroutines
	handlers sync.WaitGroup // running handlers
	done     chan struct{}  // closed by Stop: releases hanging handlers

	rngMu sync.Mutex
	rng   *rand.Rand

	statsMu     sync.Mutex
	requests    int64
	calls       map[string]int64
	failures    int64
	injected    map[string]int64
	inFlight    atomic.Int64
	maxInFlight int64
	// firstArrival and lastAnswer bound the counted requests in time.
	firstArrival, lastAnswer time.Time
	answerTimes              []time.Duration
}

func newServer(sim *Sim, cfg ServerConfig, index int) (*Server, error) {
	if cfg.Token == "" {
		return nil, fmt.Errorf("whmsim: server %q needs an API token", cfg.Name)
	}
	if cfg.Username == "" {
		cfg.Username = DefaultUsername
	}
	if cfg.Profile == "" {
		cfg.Profile = DefaultProfile
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
		if cfg.Profile == ProfileWPSquared {
			cfg.Version = DefaultWPSquaredVersion
		}
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if err := cfg.Faults.validate(); err != nil {
		return nil, fmt.Errorf("whmsim: server %q: %w", cfg.Name, err)
	}
	s := &Server{
		sim:      sim,
		cfg:      cfg,
		minor:    versionMajor(cfg.Version),
		accounts: make(map[string]*account),
		faults:   cfg.Faults.clone(),
		sessions: make(map[string]string),
		done:     make(chan struct{}),
		rng:      rand.New(rand.NewPCG(sim.seed, uint64(index)+1)),
		calls:    make(map[string]int64),
		injected: make(map[string]int64),
	}
	s.cfg.Resellers = make(map[string]string, len(cfg.Resellers))
	for k, v := range cfg.Resellers {
		s.cfg.Resellers[k] = v
	}
	s.cfg.Accounts = nil
	s.cfg.Faults = Faults{}
	for _, a := range cfg.Accounts {
		if err := s.AddAccount(a); err != nil {
			return nil, err
		}
	}
	s.addr = cfg.Addr
	if !s.faults.Refuse {
		if err := s.listen(); err != nil {
			return nil, err
		}
	} else {
		// Reserve a port so that clearing the fault later listens somewhere known.
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			return nil, fmt.Errorf("whmsim: server %q: %w", cfg.Name, err)
		}
		s.setAddr(ln.Addr().String())
		_ = ln.Close()
	}
	return s, nil
}

// versionMajor returns MAJOR of 11.MAJOR.MINOR.BUILD, or a large number when
// the version does not parse (an unknown version is taken as new).
func versionMajor(v string) int {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return 1 << 20
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return 1 << 20
	}
	return n
}

func (s *Server) setAddr(addr string) {
	host, port, _ := net.SplitHostPort(addr)
	s.addr = addr
	s.host = host
	s.port, _ = strconv.Atoi(port)
}

// listen opens the listener and serves on it; s.mu must not be held by a
// handler-blocking caller.
func (s *Server) listen() error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("whmsim: server %q: %w", s.cfg.Name, err)
	}
	if s.port == 0 {
		// Only the first listen picks the address; a listen after a Refuse
		// fault reuses it, so readers of Host/Port never race with a write.
		s.setAddr(ln.Addr().String())
	}
	hs := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	s.httpSrv = hs
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		_ = hs.Serve(ln)
	}()
	return nil
}

// Name returns the server's name.
func (s *Server) Name() string { return s.cfg.Name }

// URL returns the server's base URL, e.g. http://127.0.0.1:40123.
func (s *Server) URL() string { return "http://" + net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// Host returns the host the server listens on (an IP address).
func (s *Server) Host() string { return s.host }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.port }

// Username returns root's user name.
func (s *Server) Username() string { return s.cfg.Username }

// Token returns root's API token.
func (s *Server) Token() string { return s.cfg.Token }

// Version returns the version the server reports.
func (s *Server) Version() string { return s.cfg.Version }

// Profile returns the get_current_profile code the server reports.
func (s *Server) Profile() string { return s.cfg.Profile }

// Module returns the product module this server belongs under: "wpsquared"
// for the WP2 profile, "cpanel" otherwise.
func (s *Server) Module() string {
	if s.cfg.Profile == ProfileWPSquared {
		return links.ModuleWPSquared
	}
	return links.ModuleCPanel
}

// Conn returns the links.ServerConn that reaches this server as root over
// plain HTTP.
func (s *Server) Conn() links.ServerConn {
	return links.ServerConn{
		Module: s.Module(), Name: s.cfg.Name, Hostname: s.host, Port: s.port,
		Secure: false, VerifyTLS: false, Username: s.cfg.Username, APIToken: s.cfg.Token,
	}
}

// Stop closes the server for good: connections are refused afterwards.
// Hanging handlers are released and Stop waits for every handler to return.
func (s *Server) Stop() error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	hs := s.httpSrv
	s.httpSrv = nil
	s.mu.Unlock()
	// Close the connections before releasing hanging handlers, so that
	// none of them gets to answer.
	var err error
	if hs != nil {
		err = hs.Close()
	}
	close(s.done)
	s.serving.Wait()
	s.handlers.Wait()
	return err
}

// track counts a request in flight; the returned function ends it. It
// refuses (false) once the server is stopped.
func (s *Server) track(counted bool) (func(), bool) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil, false
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	if !counted {
		return s.handlers.Done, true
	}
	n := s.inFlight.Add(1)
	s.statsMu.Lock()
	s.requests++
	if n > s.maxInFlight {
		s.maxInFlight = n
	}
	if s.firstArrival.IsZero() {
		s.firstArrival = time.Now()
	}
	s.statsMu.Unlock()
	return func() {
		s.statsMu.Lock()
		s.lastAnswer = time.Now()
		s.statsMu.Unlock()
		s.inFlight.Add(-1)
		s.handlers.Done()
	}, true
}

// answerDeadline draws an API request's answer time (the latency and its
// jitter), records it and returns when the answer is due: that time after
// the draw. Drawing, recording and reading the clock under one lock keeps
// the record in the order of the draws, each answer due its time after its
// draw (the bench's lower bound relies on both).
func (s *Server) answerDeadline(f Faults) time.Time {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	d := f.Latency + s.jitter(f.Jitter)
	if len(s.answerTimes) < maxAnswerTimes {
		s.answerTimes = append(s.answerTimes, d)
	}
	return time.Now().Add(d)
}

func (s *Server) countCall(fn string, ok bool) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.calls[fn]++
	if !ok {
		s.failures++
	}
}

func (s *Server) countInjected(kind string) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.injected[kind]++
}

// chance reports true with probability p, from the server's seeded stream.
func (s *Server) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64() < p
}

// jitter returns a duration in [0, max] from the seeded stream.
func (s *Server) jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return time.Duration(s.rng.Int64N(int64(max) + 1))
}

// randomID returns n characters of [a-z0-9] from the seeded stream.
func (s *Server) randomID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// pick returns one of the options from the seeded stream.
func (s *Server) pick(options []string) string {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return options[s.rng.IntN(len(options))]
}

// validUsername tells whether u looks like a cPanel user name.
func validUsername(u string) bool {
	if u == "" || len(u) > 32 {
		return false
	}
	for i, r := range u {
		switch {
		case r >= 'a' && r <= 'z':
		case (r >= '0' && r <= '9') || r == '_' || r == '-' || r == '.':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// refused reports whether faults make the account always refused.
func (f Faults) refused(user string) bool {
	return slices.Contains(f.RefuseAccounts, user)
}
