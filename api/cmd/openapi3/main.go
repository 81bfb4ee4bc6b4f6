// Command openapi3 converts the committed Swagger 2.0 document (swag's
// docs/swagger.json) to OpenAPI 3 with kin-openapi's openapi2conv. It is the
// project's one conversion: its output, docs/openapi3.json, is what
// oapi-codegen generates the Go client (api/apiclient) from, what
// openapi-typescript generates the frontend's types from
// (frontend/scripts/gen-api.mjs) and what the contract test validates
// against. make docs runs it:
//
//	go run ./api/cmd/openapi3 -in docs/swagger.json -out docs/openapi3.json
//
// The output is deterministic (sorted keys, two-space indentation), so a
// stale copy shows in git status.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("openapi3", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "docs/swagger.json", "Swagger 2.0 input")
	out := fs.String("out", "docs/openapi3.json", "OpenAPI 3 output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	doc, err := Convert(src)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	return os.WriteFile(*out, doc, 0o644)
}

// Convert turns a Swagger 2.0 JSON document into an OpenAPI 3 JSON document
// and validates the result.
func Convert(src []byte) ([]byte, error) {
	var v2 openapi2.T
	if err := json.Unmarshal(src, &v2); err != nil {
		return nil, fmt.Errorf("not a Swagger 2.0 document: %w", err)
	}
	if v2.Swagger == "" {
		return nil, errors.New("not a Swagger 2.0 document: no swagger field")
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return nil, fmt.Errorf("convert to OpenAPI 3: %w", err)
	}
	// swag leaves servers empty; clients take the base URL at run time.
	v3.Servers = openapi3.Servers{{URL: "/"}}
	raw, err := json.Marshal(v3)
	if err != nil {
		return nil, err
	}
	// Round-trip through a generic value: encoding/json sorts map keys, so
	// the output does not depend on map iteration order.
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	check, err := loader.LoadFromData(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("reload the OpenAPI 3 document: %w", err)
	}
	if err := check.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the converted document is invalid: %w", err)
	}
	return buf.Bytes(), nil
}
