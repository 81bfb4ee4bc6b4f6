package rest

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy locks the SPA to its own origin and forbids framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders are sent with every page of the SPA.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

// hstsValue is one year; not includeSubDomains, since the service cannot
// vouch for the other hosts of its domain.
const hstsValue = "max-age=31536000"

// strictTransportSecurity sends HSTS on every answer (errors included) of a
// service whose public URL is https, so browsers never try it over plain
// http again. A service reached over http must not send it.
var strictTransportSecurity = responseHeaders("Strict-Transport-Security", hstsValue)

// responseHeaders is a middleware that sets headers (name, value, ...) on
// every answer of the routes it guards, errors included.
func responseHeaders(nameValues ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			for i := 0; i+1 < len(nameValues); i += 2 {
				h.Set(nameValues[i], nameValues[i+1])
			}
			return next(c)
		}
	}
}

// docsHeaders protects the API docs UI, which needs inline scripts.
var docsHeaders = responseHeaders("X-Content-Type-Options", "nosniff", "Content-Security-Policy", "frame-ancestors 'none'")

// noSPA is the page served when the binary was built without the SPA.
const noSPA = `<!doctype html><title>applinks</title><p>The web interface was not built into this binary; the API is documented at <a href="/api/docs">/api/docs</a>.`

// reservedPrefixes never fall back to the SPA's index.html. /metrics is
// served on a listener of its own (APPLINKS_METRICS_ADDR); here it answers
// the JSON 404. /__sim/ is the demo binary's simulator (a Deps.Mounts entry,
// -tags demo); the release binary answers 404 there too.
var reservedPrefixes = []string{"/api/", "/sso/", "/.well-known/", "/metrics", "/healthz", "/readyz", "/__sim/"}

// spaHandler serves the built single-page app.
type spaHandler struct {
	spa fs.FS // nil serves a page saying the SPA is not built
}

// serveSPA serves the built SPA: hashed assets with a long cache life, and
// index.html (never cached) for every other path, so client-side routes work
// on reload.
func (s *spaHandler) serveSPA(c echo.Context) error {
	p := c.Request().URL.Path
	for _, r := range reservedPrefixes {
		if strings.HasPrefix(p, r) || p == strings.TrimSuffix(r, "/") {
			return echo.ErrNotFound
		}
	}
	h := c.Response().Header()
	securityHeaders(h)
	if s.spa == nil {
		return c.HTML(http.StatusOK, noSPA)
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(s.spa, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				h.Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				h.Set("Cache-Control", "public, max-age=3600")
			}
			http.ServeFileFS(c.Response(), c.Request(), s.spa, name)
			return nil
		}
		if strings.HasPrefix(name, "assets/") {
			return echo.ErrNotFound
		}
	}
	index, err := fs.ReadFile(s.spa, "index.html")
	if err != nil {
		return c.HTML(http.StatusOK, noSPA)
	}
	h.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	return c.HTMLBlob(http.StatusOK, index)
}
