package contract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// spec loads docs/openapi3.json (what the client was generated
// from) and makes it strict: an object schema with properties accepts no
// other property, so a field the server sends but the spec does not
// document is drift too. Null is accepted only where the spec says
// nullable (the Go pointer fields of the answers carry
// extensions:"x-nullable"), so a null the spec does not announce is drift.
func spec(path, base string) (*openapi3.T, routers.Router, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, nil, err
	}
	no := false
	seen := map[*openapi3.Schema]bool{}
	var strict func(s *openapi3.SchemaRef)
	strict = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			s.AdditionalProperties.Has = &no
		}
		for _, p := range s.Properties {
			strict(p)
		}
		strict(s.Items)
		for _, x := range s.AllOf {
			strict(x)
		}
	}
	for _, s := range doc.Components.Schemas {
		strict(s)
	}
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, nil, err
	}
	return doc, router, nil
}

// validatingDoer sends requests and checks each request and answer against
// the spec (its server set to base); problems are collected, not returned, so the test goes on and
// reports them all.
type validatingDoer struct {
	next   *http.Client
	router routers.Router

	mu       sync.Mutex
	problems []string
	calls    int
	routes   map[string]bool
}

func (v *validatingDoer) fail(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// Do implements the generated client's HttpRequestDoer.
func (v *validatingDoer) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		v.fail("%s %s: not in the spec: %v", req.Method, req.URL.Path, err)
		return v.next.Do(req)
	}
	v.mu.Lock()
	v.calls++
	if v.routes == nil {
		v.routes = map[string]bool{}
	}
	v.routes[req.Method+" "+route.Path] = true
	v.mu.Unlock()
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		v.fail("%s %s: the request does not match the spec: %v", req.Method, route.Path, err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := v.next.Do(req)
	if err != nil {
		return nil, err
	}
	rb, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(rb)), Options: opts}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.fail("%s %s -> %d: the answer does not match the spec: %v (body %.300s)", req.Method, route.Path, resp.StatusCode, err, rb)
	}
	return resp, nil
}
