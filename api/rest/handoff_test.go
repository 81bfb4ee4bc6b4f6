package rest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/applinks/applinks/api/handoff"
	"github.com/applinks/applinks/api/handoff/example"
	"github.com/applinks/applinks/api/links"
)

// relyingParty is an external target on loopback that verifies the
// assertion it receives with the example code of docs/handoff.md.
type relyingParty struct {
	*httptest.Server
	issuer string
	mu     sync.Mutex
	jtis   map[string]time.Time
	got    []url.Values // the query of every landing
	claims []map[string]any
}

func newRelyingParty(t *testing.T, issuer string) *relyingParty {
	rp := &relyingParty{issuer: issuer, jtis: map[string]time.Time{}}
	rp.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		rp.mu.Lock()
		rp.got = append(rp.got, q)
		rp.mu.Unlock()
		if tok := q.Get(links.HandoffParam); tok != "" {
			claims, err := rp.verify(tok)
			if err != nil {
				http.Error(w, "assertion refused: "+err.Error(), http.StatusUnauthorized)
				return
			}
			rp.mu.Lock()
			rp.claims = append(rp.claims, claims)
			rp.mu.Unlock()
		}
		_, _ = w.Write([]byte("landed"))
	}))
	t.Cleanup(rp.Close)
	return rp
}

func (rp *relyingParty) seen(jti string, exp time.Time) bool {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if _, dup := rp.jtis[jti]; dup {
		return false
	}
	rp.jtis[jti] = exp
	return true
}

func (rp *relyingParty) verify(tok string) (map[string]any, error) {
	return example.Verify(tok, rp.issuer, rp.URL, rp.seen)
}

// setTarget points one cPanel link at an external template.
func (e *ssoEnv) setTarget(key, tmpl string, handoffOn bool) {
	e.t.Helper()
	in := make([]links.LinkInput, len(links.Catalogue))
	for i, d := range links.Catalogue {
		in[i] = links.LinkInput{Key: d.Key, Label: d.DefaultLabel, Enabled: ptr(true), Order: ptr(i + 1)}
		if d.Key == key {
			in[i].Target, in[i].URLTemplate, in[i].Handoff = links.TargetExternal, tmpl, handoffOn
		}
	}
	if err := links.ValidateLinkTargets(in, true); err != nil {
		e.t.Fatal(err)
	}
	settings, err := links.ValidateLinkInputs(in)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.SaveLinkSettings(context.Background(), links.ModuleCPanel, settings, links.NewOperation{}); err != nil {
		e.t.Fatal(err)
	}
}

// rpBrowser is a browser that stops before the relying party and at any
// client-area page.
func (e *ssoEnv) rpBrowser(rp *relyingParty) *http.Client {
	jar, _ := cookiejar.New(nil)
	host := strings.TrimPrefix(rp.URL, "http://")
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == host || strings.HasPrefix(req.URL.Path, "/portal") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// landing is where the browser was sent last.
func landing(t *testing.T, r ssoResponse) string {
	t.Helper()
	if r.status != http.StatusFound && r.status != http.StatusSeeOther {
		t.Fatalf("want a redirect, got %d: %s", r.status, r.body)
	}
	return r.header.Get("Location")
}

func TestExternalTargetWithSignedHandoff(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		rp := newRelyingParty(t, e.url)
		e.setTarget("invoice_history", rp.URL+"/billing/{username}/invoices?service={service_id}&client={client_id}&ext={client_external_id}&d={destination}&host={domain}&sext={service_external_id}#top", true)
		// The billing system's ids fill their placeholders, URL-escaped.
		ctx := context.Background()
		if _, err := e.db.UpdateClient(ctx, e.client.ID, links.ClientPatch{ExternalID: ptr("cust 7&x")}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.db.UpdateService(ctx, e.svc.ID, links.ServicePatch{ExternalID: ptr("svc-8")}); err != nil {
			t.Fatal(err)
		}

		// The click lands on the rendered URL, with the assertion.
		b := e.rpBrowser(rp)
		loc := landing(t, e.simClick(b, "acme", "invoice_history"))
		u, err := url.Parse(loc)
		if err != nil || !strings.HasPrefix(loc, rp.URL+"/billing/acme/invoices?") || u.Fragment != "top" {
			t.Fatalf("landed on %q", loc)
		}
		q := u.Query()
		if q.Get("service") != strconv.FormatInt(e.svc.ID, 10) || q.Get("client") != strconv.FormatInt(e.client.ID, 10) ||
			q.Get("d") != "invoice_history" || q.Get("host") != "acme.test" || q.Get("ext") != "cust 7&x" || q.Get("sext") != "svc-8" || q.Get(links.HandoffParam) == "" {
			t.Fatalf("rendered query %v", q)
		}
		// The client-area session was started too.
		if e.signedInAs(b) != e.owner.ID {
			t.Fatal("no client-area session after an external landing")
		}

		// The relying party verifies it against /.well-known/jwks.json.
		resp, err := b.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(rp.claims) != 1 {
			t.Fatalf("relying party answered %d", resp.StatusCode)
		}
		c := rp.claims[0]
		want := map[string]any{"iss": e.url, "aud": rp.URL, "sub": strconv.FormatInt(e.owner.ID, 10), "email": e.owner.Email,
			"client_id": float64(e.client.ID), "service_id": float64(e.svc.ID), "destination": "invoice_history",
			"client_external_id": "cust 7&x", "service_external_id": "svc-8"}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != 60 || c["jti"] == "" {
			t.Errorf("exp %v iat %v jti %v", c["exp"], c["iat"], c["jti"])
		}
		// Once only: the same assertion again is refused.
		if _, err := rp.verify(q.Get(links.HandoffParam)); err == nil {
			t.Error("a replayed assertion verified")
		}

		// A link on the client area still lands there.
		if loc := landing(t, e.simClick(e.rpBrowser(rp), "acme", "ticket_history")); loc != "/portal/tickets" {
			t.Fatalf("client-area link landed on %q", loc)
		}
	})
}

func TestHandoffAssertionsThatMustFail(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		rp := newRelyingParty(t, e.url)
		ctx := context.Background()
		a := links.Assertion{Audience: rp.URL, UserID: e.owner.ID, Email: e.owner.Email, ClientID: e.client.ID, ServiceID: e.svc.ID, Destination: "invoice_history"}
		good, err := e.keys.Sign(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rp.verify(good); err != nil {
			t.Fatalf("a good assertion: %v", err)
		}
		expired, _ := handoff.New(e.db, e.url, func() time.Time { return time.Now().Add(-2 * time.Minute) }).Sign(ctx, a)
		other := a
		other.Audience = "https://elsewhere.example"
		wrongAud, _ := e.keys.Sign(ctx, other)
		wrongIss, _ := handoff.New(e.db, "https://not-applinks.example", nil).Sign(ctx, a)
		tampered := good[:len(good)-4] + "AAAA"
		for name, tok := range map[string]string{"expired": expired, "wrong aud": wrongAud, "wrong iss": wrongIss, "tampered": tampered, "empty": ""} {
			if _, err := rp.verify(tok); err == nil {
				t.Errorf("%s assertion verified", name)
			}
		}
	})
}

// jwksKids fetches the published key ids, checking the answer's headers
// and that it holds public keys only.
func (e *ssoEnv) jwksKids() []string {
	e.t.Helper()
	r := e.do(nil, "GET", "/.well-known/jwks.json", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/jwk-set+json" || !strings.Contains(r.header.Get("Cache-Control"), "max-age=") {
		e.t.Fatalf("jwks: %d %v", r.status, r.header)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(r.body, &set); err != nil {
		e.t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		if k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["alg"] != "EdDSA" || k["d"] != nil {
			e.t.Fatalf("published key %v", k)
		}
		kids = append(kids, k["kid"].(string))
	}
	return kids
}

func TestSigningKeyRotationKeepsTheOldKeyPublished(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		rp := newRelyingParty(t, e.url)
		first := e.jwksKids() // created on first need
		if len(first) != 1 {
			t.Fatalf("kids %v", first)
		}
		old, err := e.keys.Sign(context.Background(), links.Assertion{Audience: rp.URL, UserID: e.owner.ID})
		if err != nil {
			t.Fatal(err)
		}
		var ans struct{ Keys []links.SigningKeyInfo }
		e.mustJSON(e.do(nil, "POST", "/api/v1/signing-keys/rotate", nil, withStaff(e.staff)), 200, &ans)
		if len(ans.Keys) != 2 || !ans.Keys[0].Active || ans.Keys[1].Active || ans.Keys[1].KID != first[0] || ans.Keys[1].RetiredAt == nil {
			t.Fatalf("rotation answered %+v", ans.Keys)
		}
		if kids := e.jwksKids(); len(kids) != 2 || kids[0] != ans.Keys[0].KID || kids[1] != first[0] {
			t.Fatalf("after rotation the key set holds %v", kids)
		}
		// Signed before the rotation: still verifies. Signed after: the new kid.
		if _, err := rp.verify(old); err != nil {
			t.Fatalf("an assertion of the rotated key: %v", err)
		}
		e.setTarget("invoice_history", rp.URL+"/in", true)
		loc := landing(t, e.simClick(e.rpBrowser(rp), "acme", "invoice_history"))
		if !strings.Contains(loc, links.HandoffParam+"=") {
			t.Fatalf("landed on %q", loc)
		}
		if _, err := rp.verify(strings.SplitN(loc, links.HandoffParam+"=", 2)[1]); err != nil {
			t.Fatalf("an assertion of the new key: %v", err)
		}
		// The rotation is audited.
		var audit struct{ Items []links.AuditRecord }
		e.mustJSON(e.do(nil, "GET", "/api/v1/audit?resource=signing_key", nil, withStaff(e.staff)), 200, &audit)
		if len(audit.Items) != 1 || audit.Items[0].Action != links.AuditRotate || audit.Items[0].ResourceID != ans.Keys[0].KID {
			t.Fatalf("audit %+v", audit.Items)
		}
		// Nobody without the permission rotates.
		if r := e.do(nil, "POST", "/api/v1/signing-keys/rotate", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("anonymous rotation: %d", r.status)
		}
	})
}

func TestExternalTargetKeepsTheRules(t *testing.T) {
	eachSSO(t, ssoOptions{}, func(t *testing.T, e *ssoEnv) {
		rp := newRelyingParty(t, e.url)
		e.setTarget("invoice_history", rp.URL+"/in?s={service_id}", true)
		ctx := context.Background()

		// Refused at redemption: the login page, never the target.
		tok := e.accessToken(e.svc.ID, "invoice_history")
		if _, err := e.db.UpdateClient(ctx, e.client.ID, links.ClientPatch{AllowSSO: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		loc := landing(t, e.do(nil, "GET", "/sso/redeem?access_token="+tok, nil))
		if !strings.HasPrefix(loc, "/portal/login?error=sso_disabled") {
			t.Fatalf("refused redemption landed on %q", loc)
		}
		// Refused at the click: cPanel's fallback, never the target.
		loc = landing(t, e.simClick(e.rpBrowser(rp), "acme", "invoice_history"))
		if !strings.HasPrefix(loc, "/portal/login") && !strings.HasPrefix(loc, e.url+"/portal/login") {
			t.Fatalf("refused click landed on %q", loc)
		}
		if len(rp.got) != 0 {
			t.Fatalf("the relying party was reached: %v", rp.got)
		}
		if _, err := e.db.UpdateClient(ctx, e.client.ID, links.ClientPatch{AllowSSO: ptr(true)}); err != nil {
			t.Fatal(err)
		}

		// Over another user's session: the confirmation page, then Continue
		// goes on to the external target.
		s := newSwitchEnv(e)
		a := e.rpBrowser(rp)
		e.mustJSON(e.do(a, "POST", "/api/v1/portal/login", map[string]string{"email": s.otherOwn.Email, "password": testPassword}), 200, nil)
		tok = s.wantSwitchPage(e.simClick(a, "acme", "invoice_history"), s.otherOwn, e.owner)
		loc = landing(t, e.choose(a, tok, "continue", sameOrigin))
		if !strings.HasPrefix(loc, rp.URL+"/in?s="+strconv.FormatInt(e.svc.ID, 10)+"&"+links.HandoffParam+"=") {
			t.Fatalf("continue landed on %q", loc)
		}
		if e.signedInAs(a) != e.owner.ID {
			t.Fatal("continue did not switch the session")
		}
	})
}
