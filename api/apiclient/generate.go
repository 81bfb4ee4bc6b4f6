// Package apiclient is a Go client of the applinks REST API, generated from
// the committed OpenAPI document: docs/swagger.json (Swagger 2.0, written by
// swag) is converted to OpenAPI 3 by api/cmd/openapi3 (kin-openapi's
// openapi2conv) into docs/openapi3.json, which oapi-codegen (pinned as a Go
// tool dependency) reads. Never edit client.gen.go by hand: run make docs
// (which runs the conversion, then go generate ./api/apiclient) and commit
// the result. The contract test in
// api/contract drives the whole product through this client, so any drift
// between the spec and the server fails it.
package apiclient

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../../docs/openapi3.json
