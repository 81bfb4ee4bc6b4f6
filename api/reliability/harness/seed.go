package harness

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
	"github.com/applinks/applinks/api/store"
	"github.com/applinks/applinks/api/whmsim"
)

// SeedPassword is the password of every seeded client owner.
const SeedPassword = "bench-password-1234"

// Fleet is a set of simulated servers with matching accounts in a database.
type Fleet struct {
	Sim     *whmsim.Sim
	Servers []*FleetServer
	// Creds are every seeded service's link credentials in plain text, by
	// service id: what cPanel would send back on a click.
	Creds map[int64]ServiceCreds
	// SecretKey is the hex key the store sealed secrets with: the binary
	// must get the same APPLINKS_SECRET_KEY.
	SecretKey string
	Accounts  int
}

// FleetServer is one simulated server and its id in the database.
type FleetServer struct {
	Sim      *whmsim.Server
	ID       int64
	Name     string
	Accounts []string
}

// ServiceCreds is one seeded service with its plain link credentials.
type ServiceCreds struct {
	ServiceID          int64
	ClientID           int64
	ServerID           int64
	Username           string
	SubscriberUniqueID string
	Token              string
}

// FleetPlan says what to seed.
type FleetPlan struct {
	Servers           int
	AccountsPerServer int
	// Faults, when set, returns the faults of server i (0-based).
	Faults func(i int) whmsim.Faults
	// ServicesPerClient groups services under clients (default 10).
	ServicesPerClient int
	// Prefix names the servers (<prefix>NNN) and accounts; default "s".
	Prefix string
	// NoServices seeds the servers, their simulated accounts and the
	// clients (one per ServicesPerClient accounts, ids from 1) but no
	// services: the scenario creates them (through the API). Fleet.Creds
	// stays empty and Fleet.Accounts counts the simulated accounts.
	NoServices bool
	Logger     *slog.Logger
}

// NewSecretKey returns a random 32-byte key as 64 hex characters.
func NewSecretKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SeedFleet starts the simulated servers, migrates the scratch database and
// fills it with one server row per simulated server and one Active service
// per account, in bulk SQL (seeding 50,000 accounts through the REST API
// would take far longer than the runs it prepares). The caller closes
// Fleet.Sim.
func SeedFleet(ctx context.Context, db *ScratchDB, plan FleetPlan) (*Fleet, error) {
	if plan.ServicesPerClient <= 0 {
		plan.ServicesPerClient = 10
	}
	if plan.Prefix == "" {
		plan.Prefix = "s"
	}
	f := &Fleet{Sim: whmsim.New(plan.Logger, whmsim.WithSeed(1), whmsim.WithRetryScale(0)), Creds: map[int64]ServiceCreds{}, SecretKey: NewSecretKey()}
	ok := false
	defer func() {
		if !ok {
			_ = f.Sim.Close()
		}
	}()
	key, err := secret.ParseKey(f.SecretKey)
	if err != nil {
		return nil, err
	}
	box, err := secret.NewBox(key)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Options{URL: db.URL, DataDir: db.Dir, Box: box, MaxOpenConns: 4})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	for i := range plan.Servers {
		name := fmt.Sprintf("%s%03d", plan.Prefix, i+1)
		accts := make([]whmsim.Account, plan.AccountsPerServer)
		users := make([]string, plan.AccountsPerServer)
		for j := range accts {
			u := fmt.Sprintf("%su%05d", name, j+1)
			users[j] = u
			accts[j] = whmsim.Account{User: u, Domain: u + ".example.test", Email: "admin@" + u + ".example.test"}
		}
		cfg := whmsim.ServerConfig{Name: name, Token: "TOKEN-" + strings.ToUpper(name), Accounts: accts}
		if plan.Faults != nil {
			cfg.Faults = plan.Faults(i)
		}
		srv, err := f.Sim.Start(cfg)
		if err != nil {
			return nil, err
		}
		port, secure, verify, active := srv.Port(), false, false, true
		row, err := st.CreateServer(ctx, links.ServerInput{Module: srv.Module(), Name: name, Hostname: "127.0.0.1", Port: &port,
			Secure: &secure, VerifyTLS: &verify, Username: srv.Username(), APIToken: srv.Token(), Active: &active})
		if err != nil {
			return nil, fmt.Errorf("seed server %s: %w", name, err)
		}
		f.Servers = append(f.Servers, &FleetServer{Sim: srv, ID: row.ID, Name: name, Accounts: users})
	}
	if err := seedAccounts(ctx, st, box, f, plan.ServicesPerClient, !plan.NoServices); err != nil {
		return nil, err
	}
	f.Accounts = plan.Servers * plan.AccountsPerServer
	ok = true
	return f, nil
}

// seedAccounts inserts users, clients, memberships and, withServices,
// services, link credentials and link locations with multi-row INSERTs, in
// the shape the store writes them.
func seedAccounts(ctx context.Context, st *store.Store, box *secret.Box, f *Fleet, perClient int, withServices bool) error {
	sqlDB, err := st.SQLDB()
	if err != nil {
		return err
	}
	hash, err := secret.HashPassword(SeedPassword, bcrypt.DefaultCost) // as the binary hashes them
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	perms := strings.Join(links.AllUserPermissions, ",")
	var total int
	for _, s := range f.Servers {
		total += len(s.Accounts)
	}
	nClients := (total + perClient - 1) / perClient
	users := make([][]any, 0, nClients)
	clients := make([][]any, 0, nClients)
	members := make([][]any, 0, nClients)
	for c := 1; c <= nClients; c++ {
		email := fmt.Sprintf("owner%06d@bench.example.test", c)
		users = append(users, []any{c, email, fmt.Sprintf("Owner %d", c), hash, now, now})
		clients = append(clients, []any{c, fmt.Sprintf("Client %d", c), email, links.ClientActive, true, c, now, now})
		members = append(members, []any{c, c, perms, now, now})
	}
	services := make([][]any, 0, total)
	creds := make([][]any, 0, total)
	locations := make([][]any, 0, total)
	id := int64(0)
	for _, s := range f.Servers {
		if !withServices {
			break
		}
		for _, u := range s.Accounts {
			id++
			client := (id-1)/int64(perClient) + 1
			services = append(services, []any{id, client, s.ID, u, u + ".example.test", links.ServiceActive, now, now})
			locations = append(locations, []any{s.ID, u, id, s.Sim.Module(), "", 0, "", ""})
			sub, err := secret.Token(18)
			if err != nil {
				return err
			}
			token, err := secret.Token(32)
			if err != nil {
				return err
			}
			sealed, err := box.Seal(token, fmt.Sprintf("service:%d:link_token", id))
			if err != nil {
				return err
			}
			creds = append(creds, []any{id, "al_" + sub, sealed, secret.Hash(token), now, now})
			f.Creds[id] = ServiceCreds{ServiceID: id, ClientID: client, ServerID: s.ID, Username: u, SubscriberUniqueID: "al_" + sub, Token: token}
		}
	}
	steps := []struct {
		table string
		cols  string
		rows  [][]any
	}{
		{"users", "id, email, name, password_hash, created_at, updated_at", users},
		{"clients", "id, name, email, status, allow_sso, owner_user_id, created_at, updated_at", clients},
		{"memberships", "client_id, user_id, permissions, created_at, updated_at", members},
		{"services", "id, client_id, server_id, username, domain, status, created_at, updated_at", services},
		{"link_credentials", "service_id, subscriber_unique_id, token_enc, token_hash, created_at, updated_at", creds},
		// Each account's location, nothing confirmed there yet.
		{"link_states", "server_id, username, service_id, module, confirmed_fp, attempts, last_error, failed_fp", locations},
	}
	for _, step := range steps {
		if err := bulkInsert(ctx, sqlDB, step.table, step.cols, step.rows); err != nil {
			return fmt.Errorf("seed %s: %w", step.table, err)
		}
	}
	return nil
}

type sqlExecer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func bulkInsert(ctx context.Context, db sqlExecer, table, cols string, rows [][]any) error {
	const chunk = 400
	for start := 0; start < len(rows); start += chunk {
		end := min(start+chunk, len(rows))
		n := len(rows[start])
		ph := "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		args := make([]any, 0, (end-start)*n)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteString(ph)
			args = append(args, rows[i]...)
		}
		if _, err := db.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
