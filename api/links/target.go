package links

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Link targets: where a redeemed click on a link lands.
const (
	// TargetClientArea is the client-area page of the link's catalogue
	// route (the default).
	TargetClientArea = "client_area"
	// TargetExternal is a URL rendered from the link's URL template, e.g.
	// the host's own billing system.
	TargetExternal = "external"
)

// MaxURLTemplateLength is the longest URL template a link may carry, in bytes.
const MaxURLTemplateLength = 2000

// Placeholders of a URL template, each filled with a URL-escaped value.
// An external id is empty for a client or service without one.
var Placeholders = []string{"client_id", "client_external_id", "service_id", "service_external_id", "username", "domain", "destination"}

// TargetValues are the values a URL template is rendered with.
type TargetValues struct {
	ClientID          string `json:"client_id" example:"7"`
	ClientExternalID  string `json:"client_external_id" example:""`
	ServiceID         string `json:"service_id" example:"42"`
	ServiceExternalID string `json:"service_external_id" example:""`
	Username          string `json:"username" example:"acme"`
	Domain            string `json:"domain" example:"acme.example"`
	Destination       string `json:"destination" example:"invoice_history"`
}

func (v TargetValues) get(name string) string {
	switch name {
	case "client_id":
		return v.ClientID
	case "client_external_id":
		return v.ClientExternalID
	case "service_id":
		return v.ServiceID
	case "service_external_id":
		return v.ServiceExternalID
	case "username":
		return v.Username
	case "domain":
		return v.Domain
	case "destination":
		return v.Destination
	}
	return ""
}

// templatePart is a literal piece of a template or, when placeholder is
// set, the name of a placeholder.
type templatePart struct {
	text        string
	placeholder bool
}

// splitTemplate cuts a template into literal text and placeholders. Braces
// only ever open and close a placeholder: a lone or nested brace is
// malformed.
func splitTemplate(field, tmpl string) ([]templatePart, error) {
	var parts []templatePart
	rest := tmpl
	for rest != "" {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			parts = append(parts, templatePart{text: rest})
			break
		}
		if rest[open] == '}' {
			return nil, FieldError(field, "The URL template has a } without its {: placeholders are written {service_id}.")
		}
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] == '{' {
			return nil, FieldError(field, "The URL template has a { without its }: placeholders are written {service_id}.")
		}
		name := rest[open+1 : open+1+end]
		if !isPlaceholder(name) {
			return nil, FieldError(field, "Unknown placeholder {%s}: use %s.", truncateText(name, 40), placeholderList())
		}
		if open > 0 {
			parts = append(parts, templatePart{text: rest[:open]})
		}
		parts = append(parts, templatePart{text: name, placeholder: true})
		rest = rest[open+1+end+1:]
	}
	return parts, nil
}

func isPlaceholder(name string) bool {
	for _, p := range Placeholders {
		if p == name {
			return true
		}
	}
	return false
}

func placeholderList() string {
	out := make([]string, len(Placeholders))
	for i, p := range Placeholders {
		out[i] = "{" + p + "}"
	}
	return strings.Join(out, ", ")
}

// ValidateURLTemplate checks an external target's URL template: an absolute
// https URL (http too when allowHTTP, which is for a service whose own
// public URL is http, the demo), with a host and no user info, whose
// scheme and host are literal (placeholders may appear only in the path,
// query and fragment, so a value can never send the customer to another
// origin), holding only the known placeholders, no spaces or control
// characters, at most MaxURLTemplateLength bytes. javascript:, data: and
// every other scheme are refused.
func ValidateURLTemplate(field, tmpl string, allowHTTP bool) error {
	want := "an https URL"
	if allowHTTP {
		want = "an https (or, while the service's public URL is http, http) URL"
	}
	switch {
	case strings.TrimSpace(tmpl) == "":
		return FieldError(field, "The external target needs a URL template, e.g. https://billing.example.com/invoices?service={service_id}.")
	case len(tmpl) > MaxURLTemplateLength:
		return FieldError(field, "The URL template must be at most %d bytes long.", MaxURLTemplateLength)
	case !utf8.ValidString(tmpl):
		return FieldError(field, "The URL template must be valid UTF-8 text.")
	}
	for _, r := range tmpl {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == '\\' {
			return FieldError(field, "The URL template must not contain spaces, backslashes or control characters.")
		}
	}
	parts, err := splitTemplate(field, tmpl)
	if err != nil {
		return err
	}
	scheme, after, ok := strings.Cut(tmpl, "://")
	scheme = strings.ToLower(scheme)
	if !ok || strings.ContainsAny(scheme, "{}/?#") || (scheme != "https" && !(allowHTTP && scheme == "http")) {
		return FieldError(field, "The URL template must be %s, e.g. https://billing.example.com/invoices?service={service_id}.", want)
	}
	authority := after
	if i := strings.IndexAny(after, "/?#"); i >= 0 {
		authority = after[:i]
	}
	if strings.ContainsAny(authority, "{}") {
		return FieldError(field, "The host of the URL template must be written out: placeholders may appear only after it.")
	}
	u, err := url.Parse(render(parts, TargetValues{}.sample()))
	if err != nil || u.Host == "" || u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return FieldError(field, "The URL template must be %s with a host and without user info.", want)
	}
	return nil
}

// sample fills every placeholder with a harmless value, for parsing.
func (TargetValues) sample() TargetValues {
	return TargetValues{ClientID: "1", ClientExternalID: "x", ServiceID: "1", ServiceExternalID: "x", Username: "u", Domain: "d", Destination: "k"}
}

// RenderURLTemplate fills a template that ValidateURLTemplate accepted with
// v. Every value is percent-encoded except the unreserved characters
// (A-Z a-z 0-9 - . _ ~), so it stays one value in a path segment, a query
// value or a fragment alike.
func RenderURLTemplate(tmpl string, v TargetValues) (string, error) {
	parts, err := splitTemplate("url_template", tmpl)
	if err != nil {
		return "", err
	}
	return render(parts, v), nil
}

func render(parts []templatePart, v TargetValues) string {
	var b strings.Builder
	for _, p := range parts {
		if p.placeholder {
			b.WriteString(strings.ReplaceAll(url.QueryEscape(v.get(p.text)), "+", "%20"))
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// Origin returns the scheme://host[:port] of an absolute URL, lower-cased:
// the audience of a signed hand-off to it.
func Origin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// ValidateTarget checks one link's target fields: the kind (empty means
// the client area), and for an external target its template; a client-area
// target carries no template and no hand-off.
func ValidateTarget(field, target, tmpl string, handoff, allowHTTP bool) error {
	switch target {
	case "", TargetClientArea:
		if tmpl != "" {
			return FieldError(field+".url_template", "A URL template is only for an external target (target external).")
		}
		if handoff {
			return FieldError(field+".handoff", "A signed hand-off is only for an external target (target external).")
		}
		return nil
	case TargetExternal:
		return ValidateURLTemplate(field+".url_template", tmpl, allowHTTP)
	}
	return FieldError(field+".target", "The target must be client_area or external.")
}

// ValidateLinkTargets checks the targets of a link configuration under the
// service's scheme policy (allowHTTP: its public URL is http), before
// ValidateLinkInputs checks the rest.
func ValidateLinkTargets(in []LinkInput, allowHTTP bool) error {
	for i, l := range in {
		if err := ValidateTarget(linkField(i), l.Target, l.URLTemplate, l.Handoff, allowHTTP); err != nil {
			return err
		}
	}
	return nil
}
