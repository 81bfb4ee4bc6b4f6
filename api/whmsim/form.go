package whmsim

import (
	"bytes"
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

// url.ParseQuery's errors, in its words.
var (
	errTooManyFields = errors.New("number of URL query parameters exceeded limit")
	errSemicolon     = errors.New("invalid semicolon separator in query")
)

// form is a request's arguments in their order: what url.Values holds,
// without a map per command (a batch carries hundreds of commands, and the
// simulator's CPU is taken from the service it shares the machine with in
// the benchmarks).
//
// The keys and values of a request's form are strings over buffers that
// are reused once the request is answered: what a function keeps, it copies
// (see keep).
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

// checkForm refuses, with url.ParseQuery's error, URL-encoded data with too
// many fields or a semicolon (anywhere: url.ParseQuery then says so whatever
// else is wrong). Past it, the decoders meet no semicolons.
func checkForm(src []byte) error {
	if bytes.Count(src, ampersand)+1 > maxFormFields {
		return errTooManyFields
	}
	if bytes.IndexByte(src, ';') >= 0 {
		return errSemicolon
	}
	return nil
}

var ampersand = []byte{'&'}

// parseForm parses the URL-encoded src as url.ParseQuery does and appends
// its fields to out, in order. It reads src once, decoding as it goes into
// dst, which must be at least as long as src and apart from it; the keys and
// values are strings over dst. It returns the fields and the length of the
// decoded text at the start of dst (dst beyond it may have been written).
func parseForm(dst, src []byte, out form) (form, int, error) {
	if err := checkForm(src); err != nil {
		return nil, 0, err
	}
	if len(dst) < len(src) {
		panic("whmsim: parseForm: dst shorter than src")
	}
	i, j := 0, 0
	for i < len(src) {
		if src[i] == '&' {
			i++ // an empty pair
			continue
		}
		var ok bool
		key := j
		if i, j, ok = decodeRun(dst, src, i, j, true); !ok {
			return nil, 0, escapeError(src, i, true)
		}
		val := j
		if i < len(src) && src[i] == '=' {
			if i, j, ok = decodeRun(dst, src, i+1, j, false); !ok {
				return nil, 0, escapeError(src, i, false)
			}
		}
		out = append(out, field{bytesString(dst[key:val]), bytesString(dst[val:j])})
	}
	return out, j, nil
}

// decodeRun decodes src from i into dst from j, up to the end of src, an
// "&" or (with eq) an "=", and returns where it stopped in each; false on a
// bad escape, at i. src must hold no semicolon (see checkForm), dst must be
// apart from src and len(dst)-j >= len(src)-i.
func decodeRun(dst, src []byte, i, j int, eq bool) (int, int, bool) {
	for {
		for i < len(src) && !special[src[i]] {
			dst[j] = src[i]
			i, j = i+1, j+1
		}
		if i >= len(src) {
			return i, j, true
		}
		c := src[i]
		switch c {
		case '&':
			return i, j, true
		case '=':
			if eq {
				return i, j, true
			}
		case '%':
			if i+2 >= len(src) {
				return i, j, false
			}
			hi, lo := unhex[src[i+1]], unhex[src[i+2]]
			if hi|lo > 15 {
				return i, j, false
			}
			c = hi<<4 | lo
			i += 2
		case '+':
			c = ' '
		}
		dst[j] = c
		i, j = i+1, j+1
	}
}

// escapeError is url.ParseQuery's error for a bad escape at i, quoted up to
// three bytes within its key (inKey) or value.
func escapeError(src []byte, i int, inKey bool) error {
	s := src[i:min(i+3, len(src))]
	for k, c := range s {
		if c == '&' || (inKey && c == '=') {
			s = s[:k]
			break
		}
	}
	return url.EscapeError(string(s))
}

// special marks the bytes the decoders look at twice: an escape, a "+" and
// the separators (semicolons are ruled out before, by checkForm).
var special = [256]bool{'%': true, '+': true, '&': true, '=': true}

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

// bytesString is b as a string without a copy; b must not change while the
// string is in use.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// stringBytes is s as bytes without a copy, to be read only.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// command is a batch's command: "function?query", URL-encoded once more as
// the value of a "command" field.
type command struct {
	fn     string
	lo, hi int  // its arguments are commandArgs[lo:hi]
	good   bool // the query parses and fn is not empty
	// The command as sent, decoded once (to quote when it is refused): raw,
	// or else the encoded value at body[enc[0]:enc[1]].
	raw string
	enc [2]int
}

// text returns the command as sent, decoded once.
func (c *command) text(body []byte) string {
	if c.enc[1] <= c.enc[0] {
		return c.raw
	}
	src := body[c.enc[0]:c.enc[1]]
	dst := make([]byte, len(src))
	_, j, _ := decodeRun(dst, src, 0, 0, false) // checked when it was parsed
	return string(dst[:j])
}

// parseBatchBody parses a batch's form body, bufs.body, into dst as
// parseForm does, but for the values of "command": each is parsed, in the
// same pass, as the batch would parse it once decoded (cut at its first "?"
// into the function name and a query, which is parsed), into bufs.commands
// and bufs.commandArgs, and left out of the fields. The body is not changed
// (a refused command is quoted from it).
//
// A push batch is all commands, each twice URL-encoded: decoding each
// command once and then parsing its query looked twice at every escape.
func parseBatchBody(dst []byte, bufs *answerBuffers) (form, error) {
	src := bufs.body
	if err := checkForm(src); err != nil {
		return nil, err
	}
	if len(dst) < len(src) {
		panic("whmsim: parseBatchBody: dst shorter than the body")
	}
	var (
		out  = bufs.fields[:0]
		cmds = bufs.commands[:0]
		args = bufs.commandArgs[:0]
		i, j int
		ok   bool
	)
	for i < len(src) {
		if src[i] == '&' {
			i++
			continue
		}
		key := j
		if i, j, ok = decodeRun(dst, src, i, j, true); !ok {
			return nil, escapeError(src, i, true)
		}
		if string(dst[key:j]) == "command" {
			j = key // not kept
			c := command{enc: [2]int{i, i}}
			if i < len(src) && src[i] == '=' {
				var err error
				c.lo = len(args)
				c.fn, i, j, args, c.good, err = decodeCommand(dst, src, i+1, j, args)
				if err != nil {
					return nil, err
				}
				if !c.good {
					args = args[:c.lo]
				}
				c.hi = len(args)
				c.enc = [2]int{c.enc[0] + 1, i}
			}
			cmds = append(cmds, c)
			continue
		}
		val := j
		if i < len(src) && src[i] == '=' {
			if i, j, ok = decodeRun(dst, src, i+1, j, false); !ok {
				return nil, escapeError(src, i, false)
			}
		}
		out = append(out, field{bytesString(dst[key:val]), bytesString(dst[val:j])})
	}
	bufs.fields, bufs.commands, bufs.commandArgs = out, cmds, args
	return out, nil
}

// decodeCommand decodes a command, the value at src[i:] (up to the next "&"
// or the end), into dst from j: the function name, up to the first "?" of
// the decoded value, and the fields of the query after it, appended to args
// (in order, as parseForm would append them; to be cut back by the caller
// when the command is not good). It returns the name, where it stopped in
// src and dst, the fields, whether the command is good (the query parses and
// the name is not empty), and url.ParseQuery's error when the value itself
// has a bad escape. dst must be apart from src and len(dst)-j >=
// len(src)-i; src must hold no semicolon.
func decodeCommand(dst, src []byte, i, j int, args form) (string, int, int, form, bool, error) {
	// The function name, decoded a byte at a time: it is short.
	start := j
	for {
		if i >= len(src) || src[i] == '&' {
			fn := bytesString(dst[start:j])
			return fn, i, j, args, fn != "", nil
		}
		c := src[i]
		switch c {
		case '%':
			if i+2 >= len(src) || unhex[src[i+1]]|unhex[src[i+2]] > 15 {
				return "", i, j, args, false, escapeError(src, i, false)
			}
			c = unhex[src[i+1]]<<4 | unhex[src[i+2]]
			i += 2
		case '+':
			c = ' '
		}
		i++
		if c == '?' {
			break
		}
		dst[j] = c
		j++
	}
	fn := bytesString(dst[start:j])
	q := query{args: args, pair: i, key: j, val: -1, fields: 1}
	// The hot loop keeps to src, dst, i and j (q is touched at separators
	// only), which the compiler then keeps in registers.
	for {
		for i < len(src) && !special[src[i]] {
			dst[j] = src[i]
			i, j = i+1, j+1
		}
		if i >= len(src) {
			break
		}
		c := src[i]
		if c == '%' {
			if i+2 >= len(src) {
				return "", i, j, args, false, escapeError(src, i, false)
			}
			hi, lo := unhex[src[i+1]], unhex[src[i+2]]
			if hi|lo > 15 {
				return "", i, j, args, false, escapeError(src, i, false)
			}
			c = hi<<4 | lo
			i += 3
			if c == '%' && i+1 < len(src) {
				// An escape in the query, its digits plain: the common case.
				if hi, lo = unhex[src[i]], unhex[src[i+1]]; hi|lo <= 15 {
					dst[j] = hi<<4 | lo
					i, j = i+2, j+1
					continue
				}
			}
		} else {
			if c == '&' { // the end of the command
				break
			}
			i++
		}
		if !querySpecial[c] {
			dst[j] = c
			j++
			continue
		}
		// The separators, inline: a push's commands have a dozen fields.
		if c == '=' && q.val < 0 {
			q.val = j
			continue
		}
		if c == '&' { // decoded: a raw "&" ends the command before here
			if i-3 > q.pair {
				q.args = append(q.args, newField(dst, q.key, q.val, j))
			}
			q.fields++
			q.pair, q.key, q.val = i, j, -1
			continue
		}
		var err error
		if i, j, err = q.special(dst, src, c, i, j); err != nil {
			return "", i, j, args, false, err
		}
		if q.bad {
			break
		}
	}
	if q.bad || q.fields > maxFormFields {
		// The command is refused, but the value must be good to its end.
		end := i + bytes.IndexByte(src[i:], '&')
		if end < i {
			end = len(src)
		}
		for ; i < end; i++ {
			if src[i] == '%' && (i+2 >= len(src) || unhex[src[i+1]]|unhex[src[i+2]] > 15) {
				return "", i, j, args, false, escapeError(src, i, false)
			}
		}
		return fn, i, j, q.args, false, nil
	}
	if i > q.pair {
		q.args = append(q.args, newField(dst, q.key, q.val, j))
	}
	return fn, i, j, q.args, fn != "", nil
}

// query is the state of decodeCommand's parse of a command's query.
type query struct {
	args   form
	pair   int  // where the current pair starts in src
	key    int  // where its key starts in dst
	val    int  // where its value starts in dst; -1 while in the key
	fields int  // the fields so far, empty ones included
	bad    bool // the query does not parse
}

// querySpecial marks the bytes of a decoded query that are not taken as
// they are: the separators, and those query.special handles.
var querySpecial = [256]bool{'&': true, '=': true, '+': true, '%': true, ';': true}

// special handles the byte c of the decoded query, which ended at src[i]:
// "=" in a value, "+", ";", or "%" starting an escape whose digits are not
// plain. It returns where decodeCommand goes on, and url.ParseQuery's error
// when the value has a bad escape.
func (q *query) special(dst, src []byte, c byte, i, j int) (int, int, error) {
	switch c {
	case '+':
		c = ' '
	case ';':
		q.bad = true
		return i, j, nil
	case '%':
		var (
			good bool
			err  error
		)
		if c, i, good, err = queryEscape(src, i); err != nil || !good {
			q.bad = !good
			return i, j, err
		}
	}
	dst[j] = c
	return i, j + 1, nil
}

// queryEscape decodes the two hexadecimal digits of an escape in a
// command's query, from the value at src[i:], when they are not two plain
// bytes. It returns the byte, where it stopped and whether they are two
// hexadecimal digits (false too when the value ends first); or
// url.ParseQuery's error when the value has a bad escape at i.
func queryEscape(src []byte, i int) (byte, int, bool, error) {
	var digits [2]byte
	for d := range digits {
		if i >= len(src) || src[i] == '&' {
			return 0, i, false, nil
		}
		c := src[i]
		switch c {
		case '%':
			if i+2 >= len(src) || unhex[src[i+1]]|unhex[src[i+2]] > 15 {
				return 0, i, false, escapeError(src, i, false)
			}
			c = unhex[src[i+1]]<<4 | unhex[src[i+2]]
			i += 2
		case '+':
			c = ' '
		}
		i++
		if unhex[c] > 15 {
			return 0, i, false, nil
		}
		digits[d] = unhex[c]
	}
	return digits[0]<<4 | digits[1], i, true, nil
}

// newField makes the field whose key starts at key in dst, whose value (if
// val >= 0) starts at val and which ends at end.
func newField(dst []byte, key, val, end int) field {
	if val < 0 {
		return field{key: bytesString(dst[key:end])}
	}
	return field{key: bytesString(dst[key:val]), value: bytesString(dst[val:end])}
}

// readForm reads a request's arguments as http.Request.ParseForm would:
// the form body's, then the URL query's. The common case, a form POST, is
// parsed here: the body is read into bufs.body and decoded, with the URL
// query, into bufs.decoded, so that the keys and values are strings over
// reused buffers. With batch, the body's commands are parsed too (see
// parseBatchBody). Any other request goes through ParseForm.
func readForm(r *http.Request, bufs *answerBuffers, batch bool) (form, error) {
	bufs.commands, bufs.commandArgs = bufs.commands[:0], bufs.commandArgs[:0]
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
	if n := r.ContentLength; n > 0 && n <= maxRequestBody && int64(cap(bufs.body)) <= n {
		// One more byte, so that reading the end needs no growth.
		bufs.body = make([]byte, 0, n+1)
	}
	var err error
	if bufs.body, err = readAll(r.Body, bufs.body[:0]); err != nil {
		return nil, err
	}
	body, query := bufs.body, r.URL.RawQuery
	if cap(bufs.decoded) < len(body)+len(query) {
		bufs.decoded = make([]byte, len(body)+len(query))
	}
	decoded := bufs.decoded[:len(body)+len(query)]
	var out form
	if batch {
		out, err = parseBatchBody(decoded[:len(body)], bufs)
	} else {
		out, _, err = parseForm(decoded[:len(body)], body, bufs.fields[:0])
	}
	if err != nil {
		return nil, err
	}
	if query != "" {
		if out, _, err = parseForm(decoded[len(body):], stringBytes(query), out); err != nil {
			return nil, err
		}
	}
	bufs.fields = out
	return out, nil
}

// readAll appends what r holds to b until its end, as io.ReadAll does.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
	}
}

// batchCommands returns a batch's commands: those parsed with the body
// (see parseBatchBody) and then those of the other "command" fields (from
// the URL query, or a request ParseForm read), parsed here.
func batchCommands(args form, bufs *answerBuffers) []command {
	cmds, cargs := bufs.commands, bufs.commandArgs
	for _, p := range args {
		if p.key != "command" {
			continue
		}
		c := command{raw: p.value, lo: len(cargs)}
		fn, query, _ := strings.Cut(p.value, "?")
		c.fn = fn
		parsed, _, err := parseForm(make([]byte, len(query)), stringBytes(query), cargs)
		if err == nil {
			cargs = parsed
		}
		c.hi, c.good = len(cargs), err == nil && fn != ""
		cmds = append(cmds, c)
	}
	bufs.commands, bufs.commandArgs = cmds, cargs
	return cmds
}
