package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/store"
)

// Config is every setting of the service, read from the environment.
type Config struct {
	Addr        string `env:"APPLINKS_ADDR" envDefault:":8080"`
	PublicURL   string `env:"APPLINKS_PUBLIC_URL" envDefault:"http://localhost:8080"`
	DatabaseURL string `env:"APPLINKS_DATABASE_URL"`
	DataDir     string `env:"APPLINKS_DATA_DIR" envDefault:"./data"`
	SecretKey   string `env:"APPLINKS_SECRET_KEY"`
	JWTSecret   string `env:"APPLINKS_JWT_SECRET"`

	AdminEmail    string `env:"APPLINKS_ADMIN_EMAIL" envDefault:"admin@example.com"`
	AdminPassword string `env:"APPLINKS_ADMIN_PASSWORD"`
	Demo          bool   `env:"APPLINKS_DEMO" envDefault:"false"`
	DemoSimPort   int    `env:"APPLINKS_DEMO_SIM_PORT" envDefault:"22087"`

	LogLevel   string `env:"APPLINKS_LOG_LEVEL" envDefault:"info"`
	LogFormat  string `env:"APPLINKS_LOG_FORMAT" envDefault:"text"`
	TrustProxy bool   `env:"APPLINKS_TRUST_PROXY" envDefault:"false"`

	// AllowLoopbackServers lets the WHM client reach servers on loopback
	// addresses, for a simulator on this host (the demo, the tests).
	// Link-local and unspecified addresses stay refused.
	AllowLoopbackServers bool `env:"APPLINKS_ALLOW_LOOPBACK_SERVERS" envDefault:"false"`

	StaffTokenTTL time.Duration `env:"APPLINKS_STAFF_TOKEN_TTL" envDefault:"1h"`
	// PasswordCost is the bcrypt cost of new password hashes (staff and
	// client-area users); each step doubles the time of a sign-in.
	PasswordCost   int     `env:"APPLINKS_PASSWORD_COST" envDefault:"10"`
	LoginPerMinute float64 `env:"APPLINKS_LOGIN_PER_MINUTE" envDefault:"10"`
	DBMaxConns     int     `env:"APPLINKS_DB_MAX_CONNS" envDefault:"20"`
	PprofAddr      string  `env:"APPLINKS_PPROF_ADDR"` // empty: no profiling endpoint
	// MetricsAddr serves GET /metrics on a listener of its own. Unset means
	// defaultMetricsAddr; set and empty turns the listener off. It has no
	// envDefault tag because the library would apply a default to an empty
	// value too (see loadConfig).
	MetricsAddr string `env:"APPLINKS_METRICS_ADDR"`

	// Provisioning.
	Workers      int           `env:"APPLINKS_WORKERS" envDefault:"16"`
	PerServerCap int           `env:"APPLINKS_PER_SERVER_CAP" envDefault:"4"`
	BatchSize    int           `env:"APPLINKS_BATCH_SIZE" envDefault:"10"`
	WHMTimeout   time.Duration `env:"APPLINKS_WHM_TIMEOUT" envDefault:"30s"`
	LeaseTTL     time.Duration `env:"APPLINKS_LEASE_TTL" envDefault:"30s"`
	MaxAttempts  int           `env:"APPLINKS_MAX_ATTEMPTS" envDefault:"4"`
	LinkPrefix   string        `env:"APPLINKS_LINK_PREFIX" envDefault:"billing"`
	GroupLabel   string        `env:"APPLINKS_GROUP_LABEL" envDefault:"Billing & Support"`
	LogRetention time.Duration `env:"APPLINKS_LOG_RETENTION" envDefault:"2160h"`
	// LifecycleDelay is the coalescing window of service changes: accounts
	// added one by one within it share WHM batches.
	LifecycleDelay time.Duration `env:"APPLINKS_LIFECYCLE_DELAY" envDefault:"1s"`
	// VerifyInterval is how often each enabled application is verified
	// (its links read back, drift repaired); 0 turns it off.
	VerifyInterval time.Duration `env:"APPLINKS_VERIFY_INTERVAL" envDefault:"24h"`
	// AuditRetention is how long the staff audit trail keeps a record.
	AuditRetention time.Duration `env:"APPLINKS_AUDIT_RETENTION" envDefault:"8760h"`
	ShutdownGrace  time.Duration `env:"APPLINKS_SHUTDOWN_GRACE" envDefault:"20s"`

	// Single sign-on.
	SSOTokenTTL time.Duration `env:"APPLINKS_SSO_TOKEN_TTL" envDefault:"60s"`
	// RotationGrace is how long a link's previous secret stays accepted
	// after the panel confirmed a rotation (a click already sent by the
	// panel with the old secret).
	RotationGrace time.Duration `env:"APPLINKS_ROTATION_GRACE" envDefault:"2m"`
}

// The bcrypt costs APPLINKS_PASSWORD_COST may take: never below bcrypt's
// default, and at most about a second a hash.
const minPasswordCost, maxPasswordCost = 10, 14

// defaultMetricsAddr is APPLINKS_METRICS_ADDR when it is not set: loopback,
// so the metrics are not published by accident.
const defaultMetricsAddr = "127.0.0.1:9100"

// loadConfig reads the environment through lookupEnv (os.LookupEnv, or a
// test's own) and validates the result.
func loadConfig(lookupEnv func(string) (string, bool)) (Config, error) {
	var cfg Config
	err := env.ParseWithOptions(&cfg, env.Options{
		Environment: environ(lookupEnv),
	})
	if err != nil {
		return cfg, fmt.Errorf("configuration: %w", explainParseErrors(err))
	}
	// Only an unset variable takes the default: an empty one means off.
	if _, set := lookupEnv("APPLINKS_METRICS_ADDR"); !set {
		cfg.MetricsAddr = defaultMetricsAddr
	}
	return cfg, cfg.validate()
}

// explainParseErrors names the environment variable of each value that
// could not be parsed, where the library names only the struct field.
func explainParseErrors(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	t := reflect.TypeOf(Config{})
	var out []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok {
				key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
				out = append(out, fmt.Errorf("%s: %v", key, pe.Err))
				continue
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// environ builds the map env.Parse reads from lookupEnv, for the keys Config
// declares, so tests can pass their own environment. Empty values are left
// out: they mean the default.
func environ(lookupEnv func(string) (string, bool)) map[string]string {
	out := map[string]string{}
	for _, k := range configKeys() {
		if v, _ := lookupEnv(k); v != "" {
			out[k] = v
		}
	}
	return out
}

func configKeys() []string {
	params, _ := env.GetFieldParams(&Config{})
	keys := make([]string, len(params))
	for i, p := range params {
		keys[i] = p.Key
	}
	return keys
}

func (c Config) validate() error {
	var errs []error
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		errs = append(errs, fmt.Errorf("APPLINKS_PUBLIC_URL must be an http(s) origin such as https://billing.example.com, got %q", c.PublicURL))
	}
	if _, _, err := store.ParseURL(c.DatabaseURL, c.DataDir); err != nil {
		errs = append(errs, err)
	}
	if c.SecretKey != "" {
		if _, err := secret.ParseKey(c.SecretKey); err != nil {
			errs = append(errs, fmt.Errorf("APPLINKS_SECRET_KEY: %w (generate one with: openssl rand -hex 32)", err))
		}
	} else if c.dialect() == store.DialectMySQL {
		errs = append(errs, errors.New("APPLINKS_SECRET_KEY is required with MySQL: every replica must share it (generate one with: openssl rand -hex 32)"))
	}
	if c.PprofAddr != "" {
		if _, _, err := net.SplitHostPort(c.PprofAddr); err != nil {
			errs = append(errs, fmt.Errorf("APPLINKS_PPROF_ADDR must be host:port such as 127.0.0.1:6060, got %q", c.PprofAddr))
		}
	}
	if c.Demo {
		errs = append(errs, c.demoErrors()...)
	}
	if c.MetricsAddr != "" && !validListenAddr(c.MetricsAddr) {
		errs = append(errs, fmt.Errorf("APPLINKS_METRICS_ADDR must be host:port such as 127.0.0.1:9100 (or empty to turn the metrics listener off), got %q", c.MetricsAddr))
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("APPLINKS_JWT_SECRET must be at least 32 characters long"))
	}
	positive := map[string]int{"APPLINKS_WORKERS": c.Workers, "APPLINKS_PER_SERVER_CAP": c.PerServerCap, "APPLINKS_BATCH_SIZE": c.BatchSize, "APPLINKS_MAX_ATTEMPTS": c.MaxAttempts, "APPLINKS_DB_MAX_CONNS": c.DBMaxConns}
	for k, v := range positive {
		if v < 1 {
			errs = append(errs, fmt.Errorf("%s must be at least 1, got %d", k, v))
		}
	}
	if c.SSOTokenTTL <= 0 || c.SSOTokenTTL > time.Minute {
		errs = append(errs, fmt.Errorf("APPLINKS_SSO_TOKEN_TTL must be between 1s and 60s, got %s", c.SSOTokenTTL))
	}
	if c.PasswordCost < minPasswordCost || c.PasswordCost > maxPasswordCost {
		errs = append(errs, fmt.Errorf("APPLINKS_PASSWORD_COST must be between %d and %d (bcrypt cost), got %d", minPasswordCost, maxPasswordCost, c.PasswordCost))
	}
	if c.RotationGrace < 0 || c.RotationGrace > time.Hour {
		errs = append(errs, fmt.Errorf("APPLINKS_ROTATION_GRACE must be between 0s and 1h, got %s", c.RotationGrace))
	}
	if c.StaffTokenTTL < time.Minute || c.StaffTokenTTL > 24*time.Hour {
		errs = append(errs, fmt.Errorf("APPLINKS_STAFF_TOKEN_TTL must be between 1m and 24h, got %s", c.StaffTokenTTL))
	}
	if c.AuditRetention < 24*time.Hour {
		errs = append(errs, fmt.Errorf("APPLINKS_AUDIT_RETENTION must be at least 24h, got %s", c.AuditRetention))
	}
	if c.VerifyInterval != 0 && c.VerifyInterval < time.Minute {
		errs = append(errs, fmt.Errorf("APPLINKS_VERIFY_INTERVAL must be 0 (off) or at least 1m, got %s", c.VerifyInterval))
	}
	if c.LifecycleDelay < 0 || c.LifecycleDelay > time.Minute {
		errs = append(errs, fmt.Errorf("APPLINKS_LIFECYCLE_DELAY must be between 0s and 1m, got %s", c.LifecycleDelay))
	}
	if c.LeaseTTL < time.Second {
		errs = append(errs, fmt.Errorf("APPLINKS_LEASE_TTL must be at least 1s, got %s", c.LeaseTTL))
	}
	if c.WHMTimeout < time.Second {
		errs = append(errs, fmt.Errorf("APPLINKS_WHM_TIMEOUT must be at least 1s, got %s", c.WHMTimeout))
	}
	if c.LinkPrefix == "" || strings.Trim(strings.ToLower(c.LinkPrefix), "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" || strings.HasPrefix(c.LinkPrefix, "group_") {
		errs = append(errs, fmt.Errorf("APPLINKS_LINK_PREFIX must be letters, digits, _ or - (and not start with group_), got %q", c.LinkPrefix))
	}
	if c.GroupLabel == "" || strings.Contains(c.GroupLabel, "'") {
		errs = append(errs, errors.New("APPLINKS_GROUP_LABEL must be non-empty and hold no single quote"))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("APPLINKS_LOG_FORMAT must be text or json, got %q", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("APPLINKS_LOG_LEVEL must be debug, info, warn or error, got %q", c.LogLevel))
	}
	return errors.Join(errs...)
}

// demoErrors are the reasons APPLINKS_DEMO=true cannot start: a binary
// built without the demo, or a setting it needs.
func (c Config) demoErrors() []error {
	if !demoBuilt {
		return []error{errors.New("APPLINKS_DEMO=true needs the demo binary, built with -tags demo (make run builds and starts bin/applinks-demo); this one holds no simulator")}
	}
	var errs []error
	if !c.AllowLoopbackServers {
		// Fail at start rather than on every call to the demo's servers.
		errs = append(errs, errors.New("APPLINKS_DEMO=true runs its simulated servers on 127.0.0.1: set APPLINKS_ALLOW_LOOPBACK_SERVERS=true as well"))
	}
	if !loopbackListenAddr(c.Addr) {
		// The simulator's pages under /__sim/ sign anyone in as any account.
		errs = append(errs, fmt.Errorf("APPLINKS_DEMO=true serves pages that sign anyone in: APPLINKS_ADDR must be a loopback address such as 127.0.0.1:8080, got %q", c.Addr))
	}
	return errs
}

// loopbackListenAddr tells whether addr listens on loopback only: a
// loopback IP or localhost, never all interfaces (an empty host).
func loopbackListenAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// validListenAddr tells whether addr is host:port with a port number
// (0 to 65535) that net.Listen accepts; the host may be empty (all interfaces).
func validListenAddr(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

func (c Config) dialect() string {
	d, _, _ := store.ParseURL(c.DatabaseURL, c.DataDir)
	return d
}

// masked returns the configuration as key/value pairs for the start-up log,
// with secrets replaced.
func (c Config) masked() []any {
	return []any{
		"addr", c.Addr, "public_url", c.PublicURL, "database", maskDSN(c.DatabaseURL, c.DataDir),
		"secret_key", mask(c.SecretKey), "jwt_secret", mask(c.JWTSecret), "admin_email", c.AdminEmail,
		"admin_password", mask(c.AdminPassword), "demo", c.Demo, "workers", c.Workers,
		"per_server_cap", c.PerServerCap, "batch_size", c.BatchSize, "whm_timeout", c.WHMTimeout,
		"lease_ttl", c.LeaseTTL, "sso_token_ttl", c.SSOTokenTTL, "rotation_grace", c.RotationGrace, "trust_proxy", c.TrustProxy,
		"allow_loopback_servers", c.AllowLoopbackServers,
		"metrics_addr", c.MetricsAddr,
	}
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "***"
}

// maskDSN hides the password of a database URL.
func maskDSN(dsn, dataDir string) string {
	if dsn == "" {
		return "sqlite:" + filepath.Join(dataDir, "applinks.db")
	}
	if at := strings.LastIndex(dsn, "@"); at > 0 {
		if colon := strings.Index(dsn[:at], ":"); colon >= 0 && !strings.HasPrefix(dsn[colon:], "://") {
			return dsn[:colon] + ":***" + dsn[at:]
		}
		if strings.HasPrefix(dsn, "mysql://") {
			rest := dsn[len("mysql://"):]
			if at2 := strings.LastIndex(rest, "@"); at2 > 0 {
				if colon := strings.Index(rest[:at2], ":"); colon >= 0 {
					return "mysql://" + rest[:colon] + ":***" + rest[at2:]
				}
			}
		}
	}
	return dsn
}

// loadOrCreateKey returns the master key: from the configuration, or, for
// the embedded SQLite default, from a key file in the data directory that is
// created on first start.
func (c Config) loadOrCreateKey() ([]byte, error) {
	if c.SecretKey != "" {
		return secret.ParseKey(c.SecretKey)
	}
	path := filepath.Join(c.DataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		return secret.ParseKey(string(b))
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	k, err := secret.Token(secret.KeySize)
	if err != nil {
		return nil, err
	}
	key, err := secret.ParseKey(k)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return key, nil
}
