package links_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
)

func fieldOf(err error) string {
	var le *links.Error
	if errors.As(err, &le) {
		return le.Field
	}
	return "<not a links error>"
}

func TestValidateExternalID(t *testing.T) {
	for id, ok := range map[string]bool{
		"cust-1001": true, "A b/c:d#é": true, strings.Repeat("é", 190): true,
		"": false, " x": false, "x ": false, "a\tb": false, "a\nb": false, "a\x00b": false,
		strings.Repeat("x", 191): false, "\xff": false, "a\u200bb": false,
	} {
		if err := links.ValidateExternalID("external_id", id); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", id, err, ok)
		} else if err != nil && fieldOf(err) != "external_id" {
			t.Errorf("%q: field %q", id, fieldOf(err))
		}
	}
}

func TestBatchItemsValidate(t *testing.T) {
	client := func(mut func(*links.ClientBatchItem)) links.ClientBatchItem {
		c := links.ClientBatchItem{ExternalID: "c1", Name: " Acme ", Email: "billing@acme.test",
			Owner: &links.BatchOwnerInput{Email: "jane@acme.test", Name: "Jane"}}
		mut(&c)
		return c
	}
	for field, c := range map[string]links.ClientBatchItem{
		"":               client(func(*links.ClientBatchItem) {}),
		"external_id":    client(func(c *links.ClientBatchItem) { c.ExternalID = "" }),
		"name":           client(func(c *links.ClientBatchItem) { c.Name = "" }),
		"email":          client(func(c *links.ClientBatchItem) { c.Email = "nope" }),
		"status":         client(func(c *links.ClientBatchItem) { c.Status = "Open" }),
		"owner.email":    client(func(c *links.ClientBatchItem) { c.Owner.Email = "" }),
		"owner.name":     client(func(c *links.ClientBatchItem) { c.Owner.Name = "" }),
		"owner.password": client(func(c *links.ClientBatchItem) { c.Owner.Password = "short" }),
	} {
		err := c.Validate()
		if (field == "") != (err == nil) || (err != nil && fieldOf(err) != field) {
			t.Errorf("client %s: %v", field, err)
		}
		if field == "" && c.Name != "Acme" {
			t.Errorf("name not trimmed: %q", c.Name)
		}
	}
	svc := func(mut func(*links.ServiceBatchItem)) links.ServiceBatchItem {
		s := links.ServiceBatchItem{ExternalID: "s1", ClientExternalID: "c1", ServerID: 1, Username: "acme", Domain: "Acme.Test"}
		mut(&s)
		return s
	}
	for field, s := range map[string]links.ServiceBatchItem{
		"":                   svc(func(*links.ServiceBatchItem) {}),
		"external_id":        svc(func(s *links.ServiceBatchItem) { s.ExternalID = " s1" }),
		"client_external_id": svc(func(s *links.ServiceBatchItem) { s.ClientID = 3 }),
		"server_id":          svc(func(s *links.ServiceBatchItem) { s.ServerID = 0 }),
		"username":           svc(func(s *links.ServiceBatchItem) { s.Username, s.Status = "", links.ServiceActive }),
		"domain":             svc(func(s *links.ServiceBatchItem) { s.Domain = "x" }),
		"status":             svc(func(s *links.ServiceBatchItem) { s.Status = "Open" }),
	} {
		err := s.Validate()
		if (field == "") != (err == nil) || (err != nil && fieldOf(err) != field) {
			t.Errorf("service %s: %v", field, err)
		}
	}
	none := links.ServiceBatchItem{ExternalID: "s1", ServerID: 1}
	if err := none.Validate(); fieldOf(err) != "client_external_id" {
		t.Errorf("no client: %v", err)
	}
	byID := links.ServiceBatchItem{ExternalID: "s1", ClientID: 4, ServerID: 1}
	if err := byID.Validate(); err != nil {
		t.Errorf("client by id: %v", err)
	}
}

func TestItemErrorNamesTheField(t *testing.T) {
	r := links.ItemError(3, "s3", links.FieldError("owner.email", "bad"))
	if r.Result != links.BatchError || r.Error.Field != "items[3].owner.email" || r.Error.Code != links.EINVALID || r.ID != nil {
		t.Fatalf("%+v %+v", r, r.Error)
	}
	r = links.ItemError(0, "", errors.New("disk on fire"))
	if r.Error.Code != links.EINTERNAL || r.Error.Message != "Internal error." || r.Error.Field != "items[0]" {
		t.Fatalf("%+v", r.Error)
	}
}
