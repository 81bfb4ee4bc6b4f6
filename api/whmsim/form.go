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
// escape, a semicolon) is refused with its error. It reads the query once,
// decoding as it goes into one buffer that all the keys and values share
// (decoding never makes a text longer): a push batch is 70 kB of
// double-encoded arguments, parsed twice over.
func parseQuery(q string) (form, error) {
	n := strings.Count(q, "&") + 1
	if n > maxFormFields {
		return nil, errTooManyFields
	}
	out := make(form, 0, n)
	buf := make([]byte, len(q))
	j := 0
	for i := 0; i < len(q); i++ { // past each pair, i is at its "&" or the end
		if q[i] == '&' {
			continue // an empty pair
		}
		var ok bool
		key := j
		if i, j, ok = decodeUntil(q, i, buf, j, true); !ok {
			return nil, refused(q)
		}
		value := j
		if i < len(q) && q[i] == '=' {
			if i, j, ok = decodeUntil(q, i+1, buf, j, false); !ok {
				return nil, refused(q)
			}
		}
		out = append(out, field{
			unsafe.String(unsafe.SliceData(buf[key:]), value-key),
			unsafe.String(unsafe.SliceData(buf[value:]), j-value),
		})
	}
	return out, nil
}

// refused is url.ParseQuery's error for a query it refuses, in its words.
func refused(q string) error {
	_, err := url.ParseQuery(q)
	return err
}

// decodeUntil decodes q from i into buf from j, up to the end of q, an "&"
// or (with eq) an "=". It returns where it stopped in each, and false on a
// semicolon or a bad escape. Escapes never cross a separator: neither "&"
// nor "=" is a hexadecimal digit.
func decodeUntil(q string, i int, buf []byte, j int, eq bool) (int, int, bool) {
	for ; i < len(q); i++ {
		c := q[i]
		if !special[c] {
			buf[j] = c
			j++
			continue
		}
		switch c {
		case '&':
			return i, j, true
		case '=':
			if eq {
				return i, j, true
			}
		case ';':
			return i, j, false
		case '%':
			if i+2 >= len(q) {
				return i, j, false
			}
			hi, lo := unhex[q[i+1]], unhex[q[i+2]]
			if hi|lo > 15 {
				return i, j, false
			}
			c = hi<<4 | lo
			i += 2
		case '+':
			c = ' '
		}
		buf[j] = c
		j++
	}
	return i, j, true
}

// special marks the bytes decodeUntil looks at twice.
var special = [256]bool{'&': true, '=': true, ';': true, '%': true, '+': true}

// unhex maps a hexadecimal digit to its value, anything else to 255.
var unhex = func() (t [256]byte) {
	for i := range t {
		t[i] = 255
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

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
