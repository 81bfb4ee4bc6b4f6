package sso

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/applinks/applinks/api/links"
)

// Client-area paths that are not catalogue routes.
const (
	HomePath     = "/portal"
	ServicesPath = "/portal/services"
	LoginPath    = "/portal/login"
)

// MaxRedirectPath is the longest custom redirect path accepted.
const MaxRedirectPath = 1000

// ValidateRedirectPath accepts only a path on this service: it starts with
// one "/", holds no backslash, control or space character, no scheme or host
// (so "//evil.example" and "/\evil.example" are refused) and is at most
// MaxRedirectPath bytes. This is what keeps a custom destination from being
// an open redirect.
func ValidateRedirectPath(p string) error {
	bad := func(why string) error {
		return &links.Error{Code: links.EINVALID, Field: "redirect_path", Message: "Invalid destination: the redirect_path " + why}
	}
	switch {
	case p == "":
		return bad("is required with the custom destination, e.g. /portal/invoices.")
	case len(p) > MaxRedirectPath:
		return bad("must be at most " + strconv.Itoa(MaxRedirectPath) + " bytes long.")
	case !utf8.ValidString(p):
		return bad("must be valid UTF-8 text.")
	case p[0] != '/':
		return bad("must be a path on this site starting with /, not an absolute URL.")
	case strings.HasPrefix(p, "//"):
		return bad("must not start with // (that names another host).")
	case strings.ContainsRune(p, '\\'):
		return bad("must not contain backslashes.")
	}
	for _, r := range p {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return bad("must not contain spaces or control characters.")
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return bad("must be a relative path on this site.")
	}
	// A path that decodes to "//" or "\" could be re-read as another host
	// by a lax proxy or browser: refuse those too.
	if dec, err := url.PathUnescape(u.EscapedPath()); err != nil || strings.HasPrefix(dec, "//") || strings.ContainsRune(dec, '\\') {
		return bad("must not encode // or backslashes.")
	}
	return nil
}

// ValidateDestination checks a destination: a catalogue key, a custom link
// key by its shape (whether an application has it is the caller's to
// check), home, services, or custom with a safe redirect path. A catalogue
// route about one service (upgrade, billing_info) needs the service.
func ValidateDestination(dest, redirectPath string, serviceID int64) error {
	switch dest {
	case "":
		return &links.Error{Code: links.EINVALID, Field: "destination", Message: "Invalid destination: give a catalogue key, home, services or custom."}
	case links.DestinationHome, links.DestinationServices:
		if redirectPath != "" {
			return &links.Error{Code: links.EINVALID, Field: "redirect_path", Message: "Invalid destination: redirect_path is only for the custom destination."}
		}
		return nil
	case links.DestinationCustom:
		return ValidateRedirectPath(redirectPath)
	}
	def, ok := links.LinkDefByKey(dest)
	if !ok && !links.IsCustomKey(dest) {
		return &links.Error{Code: links.EINVALID, Field: "destination", Message: "Invalid destination " + strconv.Quote(truncate(dest, 64)) + ": use a catalogue key (e.g. invoice_history), a custom link key (custom_<slug>), home, services or custom."}
	}
	if redirectPath != "" {
		return &links.Error{Code: links.EINVALID, Field: "redirect_path", Message: "Invalid destination: redirect_path is only for the custom destination."}
	}
	if strings.Contains(def.Route, ":serviceId") && serviceID == 0 {
		return &links.Error{Code: links.EINVALID, Field: "service_id", Message: "Invalid destination: " + dest + " is about one service; give its service_id."}
	}
	return nil
}

// Route returns the client-area path of a valid destination, with the
// service filled in.
func Route(dest, redirectPath string, serviceID int64) string {
	switch dest {
	case links.DestinationHome:
		return HomePath
	case links.DestinationServices:
		return ServicesPath
	case links.DestinationCustom:
		if ValidateRedirectPath(redirectPath) == nil {
			return redirectPath
		}
		return HomePath
	}
	def, ok := links.LinkDefByKey(dest)
	if !ok {
		return HomePath
	}
	if strings.Contains(def.Route, ":serviceId") {
		if serviceID == 0 {
			return ServicesPath
		}
		return def.RouteFor(strconv.FormatInt(serviceID, 10))
	}
	return def.Route
}

// LoginURL is the client-area login page that explains reason and continues
// to next after sign-in: the fallback of every failed redemption.
func LoginURL(reason, next string) string {
	q := url.Values{}
	if reason != "" {
		q.Set("error", reason)
	}
	if next != "" && ValidateRedirectPath(next) == nil {
		q.Set("next", next)
	}
	if len(q) == 0 {
		return LoginPath
	}
	return LoginPath + "?" + q.Encode()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
