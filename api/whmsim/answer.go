package whmsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// The WHM API 1 answers are written here by hand, byte for byte what
// encoding/json (HTML escaping off) makes of an envelope: a push batch
// answers 150 envelopes, most of them the same few bytes, and reflection
// over them cost the simulator a tenth of its CPU. Data payloads still go
// through encoding/json.

// appendEnvelope appends env as JSON, as encoding/json would encode it.
func appendEnvelope(dst []byte, env *envelope) ([]byte, error) {
	dst = appendMeta(append(dst, `{"metadata":`...), &env.Metadata)
	if env.Data != nil {
		var err error
		if dst, err = appendData(append(dst, `,"data":`...), env.Data); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendMeta appends m as JSON.
func appendMeta(dst []byte, m *meta) []byte {
	dst = appendJSONString(append(dst, `{"command":`...), m.Command)
	if m.Reason == "OK" {
		dst = append(dst, `,"reason":"OK"`...)
	} else {
		dst = appendJSONString(append(dst, `,"reason":`...), m.Reason)
	}
	dst = strconv.AppendInt(append(dst, `,"result":`...), int64(m.Result), 10)
	dst = strconv.AppendInt(append(dst, `,"version":`...), int64(m.Version), 10)
	return append(dst, '}')
}

// appendData appends v as encoding/json encodes it.
func appendData(dst []byte, v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte{'\n'})...), nil
}

// appendJSONString appends s as a JSON string as encoding/json does with
// HTML escaping off: quotes, backslashes and control characters escaped,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped, anything else as is.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(append(dst, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes a JSON string holds as they are (HTML
// escaping off): the printable ones but for the quote and the backslash.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// answerBuffers are an API request's reusable buffers. The arguments are
// strings over them (decoded), so nothing of the arguments may be kept past
// the request as it is (see keep).
type answerBuffers struct {
	body        []byte // the form body, as sent
	decoded     []byte // the form body, decoded
	fields      form   // the arguments
	commands    []command
	commandArgs form   // the commands' arguments
	items       []byte // a batch's sub-envelopes
	answer      []byte
	tally       callTally
}

var answerPool = sync.Pool{New: func() any { return new(answerBuffers) }}

// maxPooledBuffer bounds the buffers kept for reuse, in bytes.
const maxPooledBuffer = 1 << 20

func getBuffers() *answerBuffers { return answerPool.Get().(*answerBuffers) }

// putBuffers gives the buffers back for reuse; nothing may still use them
// (nor strings over them).
func putBuffers(b *answerBuffers) {
	for _, p := range [...]*[]byte{&b.body, &b.decoded, &b.items, &b.answer} {
		if cap(*p) > maxPooledBuffer {
			*p = nil
		}
	}
	// Let go of the strings: pooled buffers may outlive the ones they point
	// into.
	for _, p := range [...]*form{&b.fields, &b.commandArgs} {
		clear((*p)[:cap(*p)])
		if cap(*p)*int(unsafe.Sizeof(field{})) > maxPooledBuffer {
			*p = nil
		}
	}
	clear(b.commands[:cap(b.commands)])
	if cap(b.commands)*int(unsafe.Sizeof(command{})) > maxPooledBuffer {
		b.commands = nil
	}
	b.tally.reset()
	answerPool.Put(b)
}

// writeBody writes a JSON answer made by hand, with the status and its
// length (not chunked: the client can read it into a buffer of its size).
func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
