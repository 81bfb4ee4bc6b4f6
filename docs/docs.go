// Package docs holds the REST API's OpenAPI document, swagger.json: the
// Swagger 2.0 document that swag writes from the handlers' annotations
// (make docs). It is embedded here and registered with swag, so that
// /api/docs serves it.
//
// Everything else derives from that one file, each step a generator:
// api/cmd/openapi3 converts it to OpenAPI 3 (openapi3.json, the one
// intermediate), from which oapi-codegen writes the Go client (api/apiclient)
// and openapi-typescript the frontend's types (frontend/src/api/schema.d.ts).
// make docs-check fails when any of them is stale.
package docs

import (
	_ "embed"

	"github.com/swaggo/swag"
)

//go:embed swagger.json
var swaggerJSON string

// spec is the document as swag's registry wants it.
type spec struct{}

// ReadDoc returns swagger.json.
func (spec) ReadDoc() string { return swaggerJSON }

// init registers the document under swag's default name, where echo-swagger
// (the /api/docs handler) reads it; swag's generated docs.go did the same.
func init() { swag.Register(swag.Name, spec{}) }
