package reliability

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/reliability/harness"
)

// swagger is the part of docs/swagger.json the sweep reads.
type swagger struct {
	Paths       map[string]map[string]swaggerOp `json:"paths"`
	Definitions map[string]swaggerSchema        `json:"definitions"`
}

type swaggerOp struct {
	Parameters []struct {
		In     string        `json:"in"`
		Name   string        `json:"name"`
		Schema swaggerSchema `json:"schema"`
	} `json:"parameters"`
	Security []map[string][]string `json:"security"`
}

type swaggerSchema struct {
	Ref        string                   `json:"$ref"`
	Type       string                   `json:"type"`
	Items      *swaggerSchema           `json:"items"`
	Properties map[string]swaggerSchema `json:"properties"`
	Example    any                      `json:"example"`
	Enum       []any                    `json:"enum"`
}

func (s swagger) resolve(sc swaggerSchema) swaggerSchema {
	for sc.Ref != "" {
		sc = s.Definitions[strings.TrimPrefix(sc.Ref, "#/definitions/")]
	}
	return sc
}

// example builds a plausible value of a schema from its examples.
func (s swagger) example(sc swaggerSchema, depth int) any {
	sc = s.resolve(sc)
	if sc.Example != nil {
		return sc.Example
	}
	if len(sc.Enum) > 0 {
		return sc.Enum[0]
	}
	switch sc.Type {
	case "object", "":
		if depth > 3 {
			return map[string]any{}
		}
		out := map[string]any{}
		for k, p := range sc.Properties {
			out[k] = s.example(p, depth+1)
		}
		return out
	case "array":
		if sc.Items == nil {
			return []any{}
		}
		return []any{s.example(*sc.Items, depth+1)}
	case "integer", "number":
		return 1
	case "boolean":
		return true
	}
	return "x"
}

// wrongTypes are values of another JSON type than the schema's.
func wrongTypes(sc swaggerSchema) []any {
	switch sc.Type {
	case "string":
		return []any{12345, []any{"x"}, map[string]any{"a": 1}, true}
	case "integer", "number":
		return []any{"12", []any{1}, map[string]any{}, true}
	case "boolean":
		return []any{"true", 1, []any{}}
	case "array":
		return []any{"x", 1, map[string]any{}}
	}
	return []any{"x", 1, []any{}}
}

// boundaries are edge values of the schema's type.
func boundaries(sc swaggerSchema, n int) []any {
	var out []any
	switch sc.Type {
	case "string":
		out = []any{"", strings.Repeat("a", 100000), "\u0000", " ", strings.Repeat("é", 300), "'; DROP TABLE clients; --", "<script>", "../../etc/passwd"}
	case "integer", "number":
		out = []any{0, -1, 9223372036854775807, 1e30, 1.5, -9223372036854775808, 2147483648, 99999999}
	case "boolean":
		out = []any{nil}
	case "array":
		out = []any{[]any{}, []any{nil}, make([]any, 10000)}
	default:
		out = []any{nil, map[string]any{}}
	}
	return out[:min(n, len(out))]
}

type sweepCase struct {
	kind, desc string
	body       []byte
	strict     bool // must be a 4xx and write nothing
}

// refusedPerItem tells whether a batch endpoint (its body an array of
// items) refused the one item of a wrong-type case ("field = value") by an
// item error naming the field: per issue 18, one bad item is an item
// error, not a refused request.
func refusedPerItem(c sweepCase, body []byte) bool {
	field, _, ok := strings.Cut(c.desc, " = ")
	var res struct {
		Items []struct {
			Result string `json:"result"`
			Error  *struct {
				Field string `json:"field"`
			} `json:"error"`
		} `json:"items"`
	}
	return ok && c.kind == "wrong-type" && json.Unmarshal(body, &res) == nil && len(res.Items) == 1 &&
		res.Items[0].Result == "error" && res.Items[0].Error != nil && res.Items[0].Error.Field == "items[0]."+field
}

// TestBadInput sends every JSON endpoint of docs/swagger.json malformed,
// oversized, wrong-type and boundary bodies, driven from the spec so that
// new endpoints are covered without editing the test. Malformed, oversized
// and wrong-type bodies must get a 4xx with a JSON error naming the
// problem and must write nothing (CHECKSUM TABLE of every table but the SSO
// audit before and after); boundary values must never get a 5xx, and a
// refusal must be a JSON error.
func TestBadInput(t *testing.T) {
	sz := gate(t)
	dialect := mysqlOrSkip(t)
	ctx := context.Background()
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "docs", "swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec swagger
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	st := newStack(t, dialect, harness.FleetPlan{Servers: 1, AccountsPerServer: 3})
	svc := st.start(0, map[string]string{"APPLINKS_TRUST_PROXY": "true"})
	api := st.client(svc)
	hc := api.HTTP

	// A trusted-application credential for Basic auth, and a portal session.
	var cred struct {
		Identifier string `json:"identifier"`
		Secret     string `json:"secret"`
	}
	if err := api.Do(ctx, http.MethodPost, "/api/v1/api-credentials", map[string]any{"name": "sweep"}, &cred); err != nil {
		t.Logf("no API credential (%v): Basic-auth endpoints are swept unauthenticated", err)
	}
	var portalCookies []*http.Cookie
	{
		b, _ := json.Marshal(map[string]string{"email": "owner000001@bench.example.test", "password": harness.SeedPassword})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, svc.URL+"/api/v1/portal/login", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", svc.URL)
		if resp, err := hc.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			portalCookies = resp.Cookies()
		}
	}
	conn, err := st.db.Conn()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	checksum := func() map[string]int64 {
		tables := names(ctx, t, conn, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name NOT IN ('sso_events')")
		out := map[string]int64{}
		for _, tbl := range tables {
			if col, ok := heartbeats[tbl]; ok {
				out[tbl] = checksumWithout(ctx, t, conn, tbl, col)
				continue
			}
			var name string
			var sum *int64
			if err := conn.QueryRowContext(ctx, "CHECKSUM TABLE "+tbl).Scan(&name, &sum); err != nil {
				t.Fatal(err)
			}
			if sum != nil {
				out[tbl] = *sum
			}
		}
		return out
	}

	type endpoint struct{ method, path string }
	var eps []endpoint
	for path, ops := range spec.Paths {
		for method := range ops {
			eps = append(eps, endpoint{strings.ToUpper(method), path})
		}
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].path+eps[i].method < eps[j].path+eps[j].method })

	ipN := 0
	send := func(ep endpoint, op swaggerOp, body []byte) (int, []byte) {
		path := strings.NewReplacer("{module}", "cpanel", "{id}", "1", "{userId}", "1").Replace(ep.path)
		req, _ := http.NewRequestWithContext(ctx, ep.method, svc.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		ipN++
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.6.%d.%d", ipN/250%250, ipN%250+1))
		req.Header.Set("Origin", svc.URL)
		for _, sec := range op.Security {
			if _, ok := sec["BearerAuth"]; ok {
				req.Header.Set("Authorization", "Bearer "+api.Token)
			}
			if _, ok := sec["BasicAuth"]; ok && cred.Identifier != "" {
				req.SetBasicAuth(cred.Identifier, cred.Secret)
			}
		}
		if strings.HasPrefix(ep.path, "/api/v1/portal/") {
			for _, c := range portalCookies {
				req.AddCookie(c)
			}
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", ep.method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, b
	}
	jsonError := func(b []byte) bool {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		return json.Unmarshal(b, &e) == nil && e.Error.Code != "" && len(e.Error.Message) > 5
	}

	var strictCases, boundaryCases, endpoints int
	var boundaryWrites []string
	statusCount := map[int]int{}
	perEndpoint := map[string]map[int]int{}
	count := func(ep endpoint, code int) {
		statusCount[code]++
		k := ep.method + " " + ep.path
		if perEndpoint[k] == nil {
			perEndpoint[k] = map[int]int{}
		}
		perEndpoint[k][code]++
	}
	before := checksum()
	type deferred struct {
		ep endpoint
		op swaggerOp
		c  sweepCase
	}
	var later []deferred
	for _, ep := range eps {
		op := spec.Paths[strings.ToLower(ep.path)][strings.ToLower(ep.method)]
		if o, ok := spec.Paths[ep.path][strings.ToLower(ep.method)]; ok {
			op = o
		}
		idx := slices.IndexFunc(op.Parameters, func(p struct {
			In     string        `json:"in"`
			Name   string        `json:"name"`
			Schema swaggerSchema `json:"schema"`
		}) bool {
			return p.In == "body"
		})
		if idx < 0 {
			continue
		}
		endpoints++
		schema := spec.resolve(op.Parameters[idx].Schema)
		base := spec.example(schema, 0)
		mk := func(v any) []byte { b, _ := json.Marshal(v); return b }
		cases := []sweepCase{
			{"malformed", "truncated JSON", []byte(`{"name": "x", `), true},
			{"malformed", "not JSON", []byte(`hello world`), true},
			{"malformed", "two documents", append(mk(base), mk(base)...), true},
			{"oversized", "2 MiB body", mk(map[string]any{"name": strings.Repeat("A", 2<<20)}), true},
			{"wrong-type", "a number instead of the body", []byte(`12345`), true},
			{"wrong-type", "a string instead of the body", []byte(`"text"`), true},
		}
		if schema.Type == "array" {
			cases = append(cases, sweepCase{"wrong-type", "an object instead of the array", []byte(`{}`), true})
		} else {
			cases = append(cases, sweepCase{"wrong-type", "an array instead of the object", []byte(`[]`), true})
		}
		// Field by field: wrong types (strict) and boundary values.
		props := schema.Properties
		wrap := func(obj map[string]any) any { return obj }
		if schema.Type == "array" && schema.Items != nil {
			props = spec.resolve(*schema.Items).Properties
			wrap = func(obj map[string]any) any { return []any{obj} }
		}
		baseObj, _ := spec.example(swaggerSchema{Type: "object", Properties: props}, 0).(map[string]any)
		names := make([]string, 0, len(props))
		for k := range props {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, name := range names {
			ps := spec.resolve(props[name])
			for _, v := range wrongTypes(ps) {
				obj := map[string]any{}
				for k, x := range baseObj {
					obj[k] = x
				}
				obj[name] = v
				cases = append(cases, sweepCase{"wrong-type", fmt.Sprintf("%s = %s", name, mk(v)), mk(wrap(obj)), true})
			}
			for _, v := range boundaries(ps, sz.fieldCases) {
				obj := map[string]any{}
				for k, x := range baseObj {
					obj[k] = x
				}
				obj[name] = v
				desc := fmt.Sprintf("%s = %.40s", name, mk(v))
				cases = append(cases, sweepCase{"boundary", desc, mk(wrap(obj)), false})
			}
		}
		for _, c := range cases {
			if !c.strict {
				later = append(later, deferred{ep, op, c})
				continue
			}
			strictCases++
			code, body := send(ep, op, c.body)
			count(ep, code)
			if code == http.StatusOK && schema.Type == "array" && refusedPerItem(c, body) {
				continue // nothing written: the checksums below still hold
			}
			if code < 400 || code > 499 {
				t.Errorf("%s %s, %s (%s): HTTP %d, want a 4xx: %.200s", ep.method, ep.path, c.kind, c.desc, code, body)
			} else if !jsonError(body) {
				t.Errorf("%s %s, %s (%s): HTTP %d without a clear JSON error: %.200s", ep.method, ep.path, c.kind, c.desc, code, body)
			}
		}
	}
	after := checksum()
	var changed []string
	for tbl, sum := range after {
		if before[tbl] != sum {
			changed = append(changed, tbl)
		}
	}
	if len(changed) > 0 {
		t.Errorf("malformed, oversized or wrong-type bodies changed tables: %s", strings.Join(changed, ", "))
	}
	// Boundary values last: some are valid and write.
	for _, d := range later {
		boundaryCases++
		code, body := send(d.ep, d.op, d.c.body)
		count(d.ep, code)
		switch {
		case code >= 500:
			t.Errorf("%s %s, boundary (%s): HTTP %d: %.200s", d.ep.method, d.ep.path, d.c.desc, code, body)
		case code >= 400 && !jsonError(body):
			t.Errorf("%s %s, boundary (%s): HTTP %d without a clear JSON error: %.200s", d.ep.method, d.ep.path, d.c.desc, code, body)
		case code < 300:
			boundaryWrites = append(boundaryWrites, fmt.Sprintf("%s %s %s", d.ep.method, d.ep.path, d.c.desc))
		}
	}
	var codes []string
	for c, n := range statusCount {
		codes = append(codes, fmt.Sprintf("%d: %d", c, n))
	}
	sort.Strings(codes)
	lines := []string{
		fmt.Sprintf("%s. Driven by docs/swagger.json: %d JSON endpoints (every operation with a body parameter), %d malformed/oversized/wrong-type requests (each must be a 4xx with a JSON error, and CHECKSUM TABLE of every table but the SSO audit must not change across them) and %d boundary requests (empty, 100,000-character, NUL and non-ASCII strings, 0, -1, 2^63-1, 1e30, 1.5, empty and 10,000-element arrays: never a 5xx, a refusal is a JSON error).",
			dialect, endpoints, strictCases, boundaryCases),
		"",
		fmt.Sprintf("- Status codes: %s.", strings.Join(codes, ", ")),
		fmt.Sprintf("- Tables changed by the strict cases: %d.", len(changed)),
		fmt.Sprintf("- Boundary values accepted (a valid edge, written): %d.", len(boundaryWrites)),
	}
	if len(boundaryWrites) > 0 {
		lines = append(lines, "  They are: "+strings.Join(boundaryWrites, "; ")+".")
	}
	lines = append(lines, "", "| endpoint | answers (status: count) |", "|---|---|")
	var keys []string
	for k := range perEndpoint {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var parts []string
		for c, n := range perEndpoint[k] {
			parts = append(parts, fmt.Sprintf("%d: %d", c, n))
		}
		sort.Strings(parts)
		lines = append(lines, fmt.Sprintf("| %s | %s |", k, strings.Join(parts, ", ")))
	}
	record("Bad input sweep", lines...)
}

// heartbeats are the columns a running service renews on its own, left out
// of the sweep's checksums: applications.config_at, once per lease TTL
// (Engine.holdConfig).
var heartbeats = map[string]string{"applications": "config_at"}

// checksumWithout is a checksum of the table's rows without one column.
func checksumWithout(ctx context.Context, t *testing.T, conn *sql.DB, tbl, skip string) int64 {
	t.Helper()
	var cols []string
	for _, c := range names(ctx, t, conn, "SELECT column_name FROM information_schema.columns"+
		" WHERE table_schema = DATABASE() AND table_name = ? AND column_name <> ? ORDER BY ordinal_position", tbl, skip) {
		cols = append(cols, fmt.Sprintf("COALESCE(`%s`, 'NULL')", c))
	}
	var sum int64
	q := fmt.Sprintf("SELECT COALESCE(SUM(CRC32(CONCAT_WS('|', %s))), 0) FROM %s", strings.Join(cols, ", "), tbl)
	if err := conn.QueryRowContext(ctx, q).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	return sum
}

// names answers the first column of a query's rows (table or column names).
func names(ctx context.Context, t *testing.T, conn *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		out = append(out, n)
	}
	return out
}
