package whm

import (
	"bytes"
	"encoding/json"
)

// The batch answer of a push holds one small envelope per command (about
// 150 of them), and decoding it with encoding/json was the largest CPU cost
// of a push left in the profiles. scanBatch reads the one shape a healthy
// panel sends in a single pass over the bytes, validating everything it
// skips, and gives up (ok false) on anything else, which the general
// parser then decodes and explains. Where it does not give up, it must
// agree with the general parser to the byte: FuzzParseBatchFastAgrees.

// batchItem is one sub-result of a batch answer.
type batchItem struct {
	result int    // metadata.result: 0 or 1
	reason []byte // metadata.reason as a JSON token; nil when absent
	data   []byte // the data value as it stands; nil when absent
}

// maxScanDepth is how deep the scanner follows nested values before giving
// up (encoding/json stops at 10,000).
const maxScanDepth = 1000

// scanBatch reads {"metadata":{...},"data":{"result":[{...},...]}}: the
// top-level result and the items (room made for want of them), ok false
// when the answer has any other shape or is not valid JSON.
func scanBatch(b []byte, want int) (items []batchItem, ok bool) {
	s := scanner{b: b}
	var haveMeta, haveResult bool
	ok = s.object(func(key []byte) bool {
		switch string(key) {
		case "metadata":
			var m batchItem
			if !s.metadata(&m) {
				return false
			}
			haveMeta = true
			return true
		case "data":
			items, haveResult = nil, false
			if s.null() {
				return true
			}
			return s.object(func(key []byte) bool {
				switch {
				case string(key) == "result":
					items, haveResult = make([]batchItem, 0, want), true
					return s.array(func() bool {
						var it batchItem
						if !s.item(&it) {
							return false
						}
						items = append(items, it)
						return true
					})
				case bytes.EqualFold(key, []byte("result")):
					return false // encoding/json would take it for "result"
				}
				return s.skip(0)
			})
		}
		return s.skip(0)
	})
	s.ws()
	if !ok || s.i != len(b) || !haveMeta || !haveResult {
		return nil, false
	}
	return items, true
}

// scanner walks JSON bytes; every method reports false on anything it does
// not accept.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// null consumes a null value if one comes next.
func (s *scanner) null() bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	return false
}

// object reads an object, calling member with each key (without escapes:
// a key with any escape gives up) positioned before its value.
func (s *scanner) object(member func(key []byte) bool) bool {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return false
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	for {
		s.ws()
		key, escaped, ok := s.str()
		if !ok || escaped {
			return false
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		if !member(key) {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// array reads an array, calling elem positioned before each element.
func (s *scanner) array(elem func() bool) bool {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return false
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		s.ws()
		if s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

// item reads one sub-result: an object with a metadata object; its data is
// kept as it stands.
func (s *scanner) item(it *batchItem) bool {
	haveMeta := false
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "metadata":
			it.reason = nil
			if !s.metadata(it) {
				return false
			}
			haveMeta = true
			return true
		case "data":
			s.ws()
			start := s.i
			if !s.skip(0) {
				return false
			}
			it.data = s.b[start:s.i]
			if string(it.data) == "null" {
				it.data = nil
			}
			return true
		}
		return s.skip(0)
	})
	return ok && haveMeta
}

// metadata reads a metadata object whose result is the number 0 or 1 and
// whose other known members have the types the general parser decodes.
func (s *scanner) metadata(it *batchItem) bool {
	haveResult := false
	ok := s.object(func(key []byte) bool {
		s.ws()
		start := s.i
		if !s.skip(0) {
			return false
		}
		v := s.b[start:s.i]
		switch string(key) {
		case "result":
			switch string(v) {
			case "0":
				it.result = 0
			case "1":
				it.result = 1
			default:
				return false
			}
			haveResult = true
		case "reason":
			switch {
			case v[0] == '"':
				it.reason = v
			case string(v) == "null":
				// encoding/json leaves the string as it was
			default:
				return false
			}
		case "command":
			return v[0] == '"' || string(v) == "null"
		case "version":
			return isSmallInt(v) || string(v) == "null"
		default:
			for _, k := range [...]string{"result", "reason", "command", "version"} {
				if bytes.EqualFold(key, []byte(k)) {
					return false // encoding/json would take it for k
				}
			}
		}
		return true
	})
	return ok && haveResult
}

// isSmallInt tells whether a number token is an integer that fits an int64
// without question.
func isSmallInt(v []byte) bool {
	d := bytes.TrimPrefix(v, []byte("-"))
	if len(d) == 0 || len(d) > 18 {
		return false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// str reads a string, returning its raw content (between the quotes) and
// whether it holds escapes.
func (s *scanner) str() (raw []byte, escaped, ok bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, false
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return s.b[start:j], escaped, true
		case c == '\\':
			escaped = true
			j++
			if j >= len(s.b) {
				return nil, false, false
			}
			switch s.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(s.b) {
					return nil, false, false
				}
				for _, h := range s.b[j+1 : j+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return nil, false, false
					}
				}
				j += 4
			default:
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		}
	}
	return nil, false, false
}

// skip reads any value, checking that it is valid JSON.
func (s *scanner) skip(depth int) bool {
	if depth > maxScanDepth {
		return false
	}
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(func([]byte) bool { return s.skip(depth + 1) })
	case c == '[':
		return s.array(func() bool { return s.skip(depth + 1) })
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

func (s *scanner) literal(lit string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		return false
	}
	s.i += len(lit)
	return true
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	b, i := s.b, s.i
	digits := func() int {
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	s.i = i
	return true
}

// reasonOf decodes a metadata.reason token as encoding/json does.
func reasonOf(tok []byte) string {
	var r string
	if tok != nil {
		_ = json.Unmarshal(tok, &r)
	}
	return r
}
