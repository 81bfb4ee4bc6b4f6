package links

import (
	"strings"
	"testing"
)

func TestCatalogueHasTheFourteenSeedLinks(t *testing.T) {
	if len(Catalogue) != 14 {
		t.Fatalf("catalogue has %d links, want 14", len(Catalogue))
	}
	keys := map[string]bool{}
	groups := map[string]int{}
	for _, d := range Catalogue {
		if keys[d.Key] {
			t.Fatalf("duplicate key %s", d.Key)
		}
		keys[d.Key] = true
		groups[d.Group]++
		if !strings.HasPrefix(d.Route, "/portal/") || ValidateLabel("label", d.DefaultLabel) != nil {
			t.Fatalf("bad entry %+v", d)
		}
	}
	if groups[GroupOrdering] != 3 || groups[GroupSupport] != 6 || groups[GroupAccount] != 5 {
		t.Fatalf("groups %v", groups)
	}
	d, _ := LinkDefByKey("billing_info")
	if d.RouteFor("42") != "/portal/services/42" || d.Implements != "billing" {
		t.Fatalf("billing_info: %+v", d)
	}
}

func TestValidateLabel(t *testing.T) {
	cases := map[string]bool{
		"View Invoice History":    true,
		"Factures & reçus":        true,
		strings.Repeat("é", 64):   true,
		"":                        false,
		"   ":                     false,
		"Customer's area":         false,
		strings.Repeat("x", 65):   false,
		string([]byte{0xff, 'a'}): false,
	}
	for label, ok := range cases {
		err := ValidateLabel("label", label)
		if (err == nil) != ok {
			t.Errorf("ValidateLabel(%q) = %v, want ok=%v", label, err, ok)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("code %s", ErrorCode(err))
		}
	}
}

func fullInputs() []LinkInput {
	in := make([]LinkInput, len(Catalogue))
	for i, d := range Catalogue {
		on, order := true, i+1
		in[i] = LinkInput{Key: d.Key, Label: d.DefaultLabel, Enabled: &on, Order: &order}
	}
	return in
}

func TestValidateLinkInputsNamesTheField(t *testing.T) {
	if _, err := ValidateLinkInputs(fullInputs()); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	neg, dupOrder := -1, 2
	cases := map[string]func([]LinkInput) []LinkInput{
		"links":            func(in []LinkInput) []LinkInput { return in[:13] },
		"links[3].key":     func(in []LinkInput) []LinkInput { in[3].Key = "nope"; return in },
		"links[4].key":     func(in []LinkInput) []LinkInput { in[4].Key = in[0].Key; return in },
		"links[5].label":   func(in []LinkInput) []LinkInput { in[5].Label = "It's mine"; return in },
		"links[6].order":   func(in []LinkInput) []LinkInput { in[6].Order = &neg; return in },
		"links[7].order":   func(in []LinkInput) []LinkInput { in[7].Order = &dupOrder; return in },
		"links[8].enabled": func(in []LinkInput) []LinkInput { in[8].Enabled = nil; return in },
	}
	for field, mutate := range cases {
		_, err := ValidateLinkInputs(mutate(fullInputs()))
		var e *Error
		if err == nil || !asError(err, &e) || e.Field != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	*target = e
	return ok
}

func TestApplyLinkSettingsSortsByOrder(t *testing.T) {
	out := ApplyLinkSettings([]LinkSetting{{Key: "invoice_history", Label: "Invoices", Enabled: false, Order: 0}})
	if out[0].Key != "invoice_history" || out[0].Label != "Invoices" || out[0].Enabled {
		t.Fatalf("first = %+v", out[0])
	}
	if out[1].Key != "upgrade" || !out[1].Enabled || out[1].Label != "Upgrade/Downgrade" {
		t.Fatalf("defaults lost: %+v", out[1])
	}
}

func TestValidateHostname(t *testing.T) {
	for host, ok := range map[string]bool{
		"cp1.example.com": true, "127.0.0.1": true, "::1": true, "localhost": true,
		"": false, "https://cp1.example.com": false, "cp1.example.com:2087": false, "cp1.example.com/x": false,
		"user@cp1.example.com": false, "-bad.example.com": false, "cp1..example.com": false, "a b": false,
	} {
		if err := ValidateHostname("hostname", host); (err == nil) != ok {
			t.Errorf("ValidateHostname(%q) = %v, want ok=%v", host, err, ok)
		}
	}
}

func TestServerInputDefaultsFollowSecure(t *testing.T) {
	off := false
	in := ServerInput{Module: ModuleCPanel, Name: " cp1 ", Hostname: "CP1.Example.com", APIToken: "tok", Secure: &off}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if *in.Port != 2086 || in.Name != "cp1" || in.Hostname != "cp1.example.com" || in.Username != "root" || !*in.VerifyTLS || !*in.Active {
		t.Fatalf("normalized %+v", in)
	}
	for _, bad := range []string{"with space", "nul\x00byte", "ééé", "tab\there", "del\x7f"} {
		in.APIToken = bad
		if err := in.Validate(); err == nil {
			t.Errorf("token %q accepted", bad)
		}
		p := ServerPatch{APIToken: &bad}
		if err := p.Validate(); err == nil {
			t.Errorf("patched token %q accepted", bad)
		}
	}
}

func TestAPatchThatRepointsAServerNeedsItsToken(t *testing.T) {
	cur := Server{Hostname: "cp1.example.com", Port: 2087, Secure: true, VerifyTLS: true, Username: "root"}
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	flag := func(b bool) *bool { return &b }
	cases := []struct {
		name  string
		patch ServerPatch
		field string // the reach field that changes, "" for none
	}{
		{"nothing", ServerPatch{}, ""},
		{"name and active only", ServerPatch{Name: str("cp9"), Active: flag(false)}, ""},
		{"the same values", ServerPatch{Hostname: str("CP1.example.com "), Port: num(2087), Secure: flag(true), VerifyTLS: flag(true), Username: str("root")}, ""},
		{"hostname", ServerPatch{Hostname: str("evil.example.net")}, "hostname"},
		{"port", ServerPatch{Port: num(2083)}, "port"},
		{"plain http", ServerPatch{Secure: flag(false)}, "secure"},
		{"no certificate check", ServerPatch{VerifyTLS: flag(false)}, "verify_tls"},
		{"username", ServerPatch{Username: str("reseller")}, "username"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.patch
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := p.ReachField(cur); got != c.field {
				t.Fatalf("ReachField = %q, want %q", got, c.field)
			}
			err := p.CheckReach(cur)
			if (err != nil) != (c.field != "") {
				t.Fatalf("CheckReach without a token = %v", err)
			}
			if err != nil && (ErrorCode(err) != EUNPROCESSABLE || err.(*Error).Field != "api_token") {
				t.Fatalf("error %+v, want unprocessable on api_token", err)
			}
			p.APIToken = str("NEWTOKEN")
			if err := p.CheckReach(cur); err != nil {
				t.Fatalf("with a token: %v", err)
			}
		})
	}
}

func TestServiceAndClientInputs(t *testing.T) {
	svc := ServiceInput{ClientID: 1, ServerID: 1, Username: "acme", Domain: "Acme.Test", Status: ServiceActive}
	if err := svc.Validate(); err != nil || svc.Domain != "acme.test" {
		t.Fatalf("%v %+v", err, svc)
	}
	for _, bad := range []ServiceInput{
		{ClientID: 1, ServerID: 1, Username: "1acme", Status: ServiceActive},
		{ClientID: 1, ServerID: 1, Username: "toolongusername123", Status: ServiceActive},
		{ClientID: 1, ServerID: 1, Status: ServiceActive},
		{ClientID: 1, ServerID: 1, Username: "acme", Domain: "not a domain"},
		{ServerID: 1, Username: "acme"},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	pending := ServiceInput{ClientID: 1, ServerID: 1}
	if err := pending.Validate(); err != nil || pending.Status != ServicePending {
		t.Fatalf("pending without username: %v", err)
	}
	c := ClientInput{Name: "Acme", Email: "a@acme.test", OwnerUserID: 3}
	if err := c.Validate(); err != nil || !*c.AllowSSO || c.Status != ClientActive {
		t.Fatalf("client defaults: %v %+v", err, c)
	}
	c = ClientInput{Name: "Acme", Email: "Acme <a@acme.test>", OwnerUserID: 3}
	if err := c.Validate(); err == nil {
		t.Fatal("display-name e-mail accepted")
	}
}

func TestMembershipOwnerHasEverything(t *testing.T) {
	m := Membership{Owner: true}
	if !m.Has(UserPermSSO) {
		t.Fatal("owner lacks sso")
	}
	m = Membership{Permissions: []string{UserPermInvoices}}
	if m.Has(UserPermSSO) || !m.Has(UserPermInvoices) {
		t.Fatal("permissions wrong")
	}
	if !(Service{Status: ServiceSuspended, Username: "a"}).Qualifies(true) || (Service{Status: ServiceActive, Username: "a"}).Qualifies(false) {
		t.Fatal("Qualifies wrong")
	}
}

func TestValidateNameRefusesControlCharacters(t *testing.T) {
	for name, ok := range map[string]bool{"Acme Ltd": true, "Zoë": true, "": false, "a\x00b": false, "line\nbreak": false, strings.Repeat("n", 191): false} {
		if err := ValidateName("name", name); (err == nil) != ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestCountWritesTheNounInTheRightNumber(t *testing.T) {
	for n, want := range map[int]string{0: "0 accounts", 1: "1 account", 2: "2 accounts", 1000: "1000 accounts"} {
		if got := Count(n, "account"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
