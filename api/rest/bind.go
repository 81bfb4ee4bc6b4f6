package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// maxBody is the largest JSON body any endpoint accepts.
const maxBody = 1 << 20

// bindJSON decodes the request body into v strictly: JSON only, one value,
// no unknown fields, and type errors that name the field.
func bindJSON(c echo.Context, v any) error {
	req := c.Request()
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != echo.MIMEApplicationJSON {
			return links.Errorf(links.EINVALID, "Send the body as JSON with Content-Type: application/json.")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		return links.Errorf(links.EINVALID, "The request body could not be read.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return links.Errorf(links.EINVALID, "The request body is empty: send %s.", jsonKindOf(v))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return links.Errorf(links.EINVALID, "The request body must hold exactly one JSON value.")
	}
	return nil
}

func decodeError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return links.Errorf(links.EINVALID, "The request body is not valid JSON (at byte %d).", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return links.Errorf(links.EINVALID, "The request body must be %s, not a JSON %s.", jsonKind(te.Type.Kind().String()), te.Value)
		}
		return links.FieldError(field, "The field %q must be %s, not %s.", field, jsonKind(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return links.Errorf(links.EINVALID, "The request body is truncated JSON.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return links.FieldError(name, "Unknown field %q.", name)
	}
	return links.Errorf(links.EINVALID, "The request body is not valid JSON.")
}

// jsonKindOf names the JSON value v (a pointer) decodes from, for messages.
func jsonKindOf(v any) string {
	k := reflect.TypeOf(v).Elem().Kind().String()
	if k == "slice" {
		return "a JSON array"
	}
	return "a JSON object"
}

// jsonKind names a Go kind as the JSON value it decodes from.
func jsonKind(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "ptr":
		return "a value of the documented type"
	}
	return kind
}

// pathID parses a positive integer path parameter, written in decimal
// digits only (no sign, no leading zero).
func pathID(c echo.Context, name string) (int64, error) {
	raw := c.Param(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != raw {
		return 0, links.FieldError(name, "The %s in the path must be a positive integer.", name)
	}
	return id, nil
}

// queryInt parses an optional integer query parameter.
func queryInt(c echo.Context, name string) (int64, error) {
	s := c.QueryParam(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, links.FieldError(name, "The query parameter %s must be a non-negative integer.", name)
	}
	return n, nil
}

// queryBool parses an optional boolean query parameter.
func queryBool(c echo.Context, name string) (*bool, error) {
	s := c.QueryParam(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, links.FieldError(name, "The query parameter %s must be true or false.", name)
	}
	return &b, nil
}

// MaxPerPage is the largest page size list endpoints return.
const MaxPerPage = 200

// MaxPageRows bounds page × per_page: a page past the first MaxPageRows rows
// of a list is refused, since the database would read and skip every row
// before it (OFFSET) on each request. Filters and search reach the rest.
const MaxPageRows = 10_000

// page reads page and per_page (default 1 and 50) for every paged list and
// keeps page × per_page within MaxPageRows.
func page(c echo.Context) (links.Page, error) {
	p := links.Page{Page: 1, PerPage: 50}
	if n, err := queryInt(c, "per_page"); err != nil {
		return p, err
	} else if n > 0 || c.QueryParam("per_page") != "" {
		if n < 1 || n > MaxPerPage {
			return p, links.FieldError("per_page", "The per_page must be between 1 and %d.", MaxPerPage)
		}
		p.PerPage = int(n)
	}
	n, err := queryInt(c, "page")
	if err != nil {
		return p, err
	}
	// n alone is checked first, so the product cannot overflow.
	if n > MaxPageRows || n*int64(p.PerPage) > MaxPageRows {
		return p, links.FieldError("page", "Lists can be paged through their first %d rows only (page × per_page at most %d): narrow the list with its filters or search instead of paging this deep.", MaxPageRows, MaxPageRows)
	}
	if n > 0 {
		p.Page = int(n)
	}
	return p, nil
}

// List is one page of a list answer.
type List[T any] struct {
	Items   []T   `json:"items"`
	Total   int64 `json:"total" example:"1"`
	Page    int   `json:"page" example:"1"`
	PerPage int   `json:"per_page" example:"50"`
}

func listOf[T any](items []T, total int64, p links.Page) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, Total: total, Page: p.Page, PerPage: p.PerPage}
}

func oneOf(field, value string, allowed ...string) error {
	if value == "" {
		return nil
	}
	for _, a := range allowed {
		if a == value {
			return nil
		}
	}
	return links.FieldError(field, "The %s must be one of %s.", field, strings.Join(allowed, ", "))
}
