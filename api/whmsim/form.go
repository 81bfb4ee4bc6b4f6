package whmsim

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unsafe"
)

// maxFormFields is url.ParseQuery's default limit on the number of fields.
const maxFormFields = 10000

var errTooManyFields = errors.New("number of URL query parameters exceeded limit")

// form is a request's arguments in their order: what url.Values holds,
// without a map per command (a batch carries hundreds of commands, and the
// simulator's CPU is taken from the service it shares the machine with in
// the benchmarks).
type form []field

type field struct{ key, value string }

// Get returns the first value of key, or "".
func (f form) Get(key string) string {
	for _, p := range f {
		if p.key == key {
			return p.value
		}
	}
	return ""
}

// values returns every value of key, in order.
func (f form) values(key string) []string {
	var out []string
	for _, p := range f {
		if p.key == key {
			out = append(out, p.value)
		}
	}
	return out
}

// parseQuery parses URL-encoded data as url.ParseQuery does: "&"-separated
// pairs, "+" for a space, %XX escapes. Anything url.ParseQuery refuses (a bad
// escape, a semicolon) is refused with its error.
func parseQuery(q string) (form, error) {
	whole := q
	n := strings.Count(q, "&") + 1
	if n > maxFormFields {
		return nil, errTooManyFields
	}
	out := make(form, 0, n)
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		k, ok1 := unescape(key)
		v, ok2 := unescape(value)
		if !ok1 || !ok2 || strings.IndexByte(pair, ';') >= 0 {
			// Refused: the standard parser says why, in its words.
			_, err := url.ParseQuery(whole)
			return nil, err
		}
		out = append(out, field{k, v})
	}
	return out, nil
}

// unescape decodes a query component; false when an escape is invalid. A
// component without escapes is returned as is, without a copy.
func unescape(s string) (string, bool) {
	escapes, plus := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", false
			}
			escapes++
			i += 2
		case '+':
			plus = true
		}
	}
	if escapes == 0 && !plus {
		return s, true
	}
	buf := make([]byte, len(s)-2*escapes)
	j := 0
	for i := 0; i < len(s); j++ {
		switch c := s[i]; c {
		case '%':
			buf[j] = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 3
		case '+':
			buf[j] = ' '
			i++
		default:
			buf[j] = c
			i++
		}
	}
	return unsafe.String(unsafe.SliceData(buf), len(buf)), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// readForm reads a request's arguments as http.Request.ParseForm would:
// the form body's, then the URL query's. The common case, a form POST, is
// parsed here; any other goes through ParseForm.
func readForm(r *http.Request) (form, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || ct != "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		var out form
		for k, vs := range r.Form {
			for _, v := range vs {
				out = append(out, field{k, v})
			}
		}
		return out, nil
	}
	var body strings.Builder
	if r.ContentLength > 0 && r.ContentLength <= maxRequestBody {
		body.Grow(int(r.ContentLength))
	}
	if _, err := io.Copy(&body, r.Body); err != nil {
		return nil, err
	}
	out, err := parseQuery(body.String())
	if err != nil {
		return nil, err
	}
	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	return append(out, query...), nil
}
