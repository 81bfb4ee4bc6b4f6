// Package contract holds the contract test of the REST API: the Go client
// generated from the committed OpenAPI document (api/apiclient) drives the
// whole product, the real binary, through a transport that validates every
// request and answer against that document. Any drift between the spec and
// the server (an undocumented route or status, a field missing from the
// spec or of another type) fails it.
package contract
