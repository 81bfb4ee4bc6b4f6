package links

import (
	"regexp"
	"strings"
)

// Custom links: up to MaxCustomLinks links of staff's own per application,
// next to the catalogue, pushed in the same menu group. A custom link's key
// is CustomKeyPrefix followed by a slug, so that it can never be a
// catalogue key, and its cPanel app name <prefix>_custom_<slug> stays within
// cPanel's ^[0-9a-z_-]+$.
const (
	// CustomKeyPrefix starts every custom link key.
	CustomKeyPrefix = "custom_"
	// MaxCustomLinks is how many custom links an application may carry.
	MaxCustomLinks = 10
	// GroupCustom is the catalogue group custom links are listed under.
	GroupCustom = "custom"
	// MaxCustomRouteLength is the longest client-area path of a custom link.
	MaxCustomRouteLength = 255
	// CustomRoutePrefix starts every client-area path of a custom link.
	CustomRoutePrefix = "/portal"
)

// customSlug is the slug of a custom key: at most 24 characters, so that
// the key fits the 32 characters a link key is stored in.
var customSlug = regexp.MustCompile(`^[a-z0-9_]{1,24}$`)

// IsCustomKey reports whether key names a custom link (a well-formed one).
func IsCustomKey(key string) bool {
	slug, ok := strings.CutPrefix(key, CustomKeyPrefix)
	return ok && customSlug.MatchString(slug)
}

// ValidateCustomKey checks a custom link key: custom_<slug>, the slug 1 to
// 24 lowercase letters, digits or underscores.
func ValidateCustomKey(field, key string) error {
	if !IsCustomKey(key) {
		return FieldError(field, "A custom link key is custom_ followed by 1 to 24 lowercase letters, digits or underscores (got %q).", truncateText(key, 64))
	}
	return nil
}

// ValidateCustomRoute checks the client-area path of a custom link: a
// relative path under /portal, with no scheme, host, backslash, dot
// segment or control character, so that it can only ever lead inside the
// client area.
func ValidateCustomRoute(field, route string) error {
	bad := route == "" || len(route) > MaxCustomRouteLength ||
		(route != CustomRoutePrefix && !strings.HasPrefix(route, CustomRoutePrefix+"/") &&
			!strings.HasPrefix(route, CustomRoutePrefix+"?")) ||
		strings.Contains(route, "//") || strings.Contains(route, `\`) || strings.Contains(route, "/../") ||
		strings.HasSuffix(route, "/..") || strings.Contains(route, "/./")
	for _, r := range route {
		if r < 0x21 || r == 0x7f {
			bad = true
		}
	}
	if bad {
		return FieldError(field, "A custom link's client-area path must be a relative path under /portal, e.g. /portal/services (at most %d characters, no spaces, no // or ..).", MaxCustomRouteLength)
	}
	return nil
}

// validateCustomInput checks what only a custom link carries: its key and,
// for a client-area target, its path; a catalogue link carries no path.
func validateCustomInput(field string, l LinkInput) error {
	if !strings.HasPrefix(l.Key, CustomKeyPrefix) {
		if l.Route != "" {
			return FieldError(field+".route", "Only a custom link has its own client-area path: the catalogue link %q keeps its route.", l.Key)
		}
		return nil
	}
	if err := ValidateCustomKey(field+".key", l.Key); err != nil {
		return err
	}
	if l.Target == TargetExternal {
		if l.Route != "" {
			return FieldError(field+".route", "A client-area path is only for a client_area target; an external target has its url_template.")
		}
		return nil
	}
	return ValidateCustomRoute(field+".route", l.Route)
}

// RemovedApps are the app names of the custom links an application no
// longer has (the settings marked Removed): every push removes them, so
// that a removed custom link leaves every account.
func RemovedApps(settings []LinkSetting, prefix string) []string {
	var out []string
	for _, s := range settings {
		if s.Removed {
			out = append(out, prefix+"_"+s.Key)
		}
	}
	return out
}
