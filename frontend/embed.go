// Package frontend holds the compiled admin dashboard and client area (a React SPA built by
// Vite into dist/) so that the service can serve them from its own binary.
//
// A fresh clone contains only dist/.gitkeep; run `npm ci && npm run build` in this folder to
// produce the real assets before building a release binary.
package frontend

import "embed"

// Dist is the Vite build output, rooted at "dist". Callers usually take fs.Sub(Dist, "dist").
//
//go:embed all:dist
var Dist embed.FS
