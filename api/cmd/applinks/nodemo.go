//go:build !demo

// The release side of the demo (demo.go): this binary holds no simulator,
// APPLINKS_DEMO=true is refused at start, and /__sim/ answers 404.

package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/applinks/applinks/api/provisioning"
	"github.com/applinks/applinks/api/store"
)

// demoBuilt tells the configuration that APPLINKS_DEMO cannot be honoured.
const demoBuilt = false

// startDemo is never called: loadConfig refuses APPLINKS_DEMO=true first.
func startDemo(context.Context, *store.Store, Config, *slog.Logger) (http.Handler, func(), bool, error) {
	return nil, nil, false, errors.New("this binary was built without the demo")
}

// repushDemo is never called: there is no demo to restart.
func repushDemo(context.Context, *provisioning.Engine, *slog.Logger) {}
