// Package apiclient is a Go client of the applinks REST API, generated from
// the committed OpenAPI document: docs/swagger.json (Swagger 2.0, written by
// swag) is converted to OpenAPI 3 by api/cmd/openapi3 (kin-openapi's
// openapi2conv) and fed to oapi-codegen (pinned as a Go tool dependency).
// Never edit client.gen.go or openapi3.json by hand: run
//
//	go generate ./api/apiclient
//
// (make docs does), and commit the result. The contract test in
// api/contract drives the whole product through this client, so any drift
// between the spec and the server fails it.
package apiclient

//go:generate go run ../cmd/openapi3 -in ../../docs/swagger.json -out openapi3.json
//go:generate go tool oapi-codegen -config oapi-codegen.yaml openapi3.json
