package secret

import (
	"strings"
	"testing"
)

func testBox(t *testing.T) *Box {
	t.Helper()
	b, err := NewBox([]byte(strings.Repeat("k", KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpenRoundTripsAndHidesPlaintext(t *testing.T) {
	b := testBox(t)
	sealed, err := b.Seal("hunter2-token", "server:1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "hunter2") {
		t.Fatalf("sealed value contains the plaintext: %q", sealed)
	}
	got, err := b.Open(sealed, "server:1")
	if err != nil || got != "hunter2-token" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	again, _ := b.Seal("hunter2-token", "server:1")
	if again == sealed {
		t.Fatal("two seals of the same value are equal: the nonce is not random")
	}
}

func TestOpenRefusesOtherContextKeyOrTampering(t *testing.T) {
	b := testBox(t)
	sealed, _ := b.Seal("secret", "server:1")
	other, _ := NewBox([]byte(strings.Repeat("x", KeySize)))
	tampered := sealed[:len(sealed)-2] + "AA"
	cases := map[string]func() (string, error){
		"other context": func() (string, error) { return b.Open(sealed, "server:2") },
		"other key":     func() (string, error) { return other.Open(sealed, "server:1") },
		"tampered":      func() (string, error) { return b.Open(tampered, "server:1") },
		"no prefix":     func() (string, error) { return b.Open("abc", "server:1") },
		"short":         func() (string, error) { return b.Open("v1:AAAA", "server:1") },
	}
	for name, open := range cases {
		if _, err := open(); err == nil {
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

func TestParseKeyAcceptsHexAndBase64Only32Bytes(t *testing.T) {
	hexKey := strings.Repeat("ab", 32)
	if k, err := ParseKey(hexKey); err != nil || len(k) != 32 {
		t.Fatalf("hex: %v", err)
	}
	if _, err := ParseKey("c2hvcnQ="); err == nil {
		t.Fatal("short key accepted")
	}
	if _, err := NewBox([]byte("short")); err == nil {
		t.Fatal("NewBox accepted a short key")
	}
}

func TestTokenIsURLSafeAndUnique(t *testing.T) {
	a, _ := Token(32)
	b, _ := Token(32)
	if a == b || len(a) != 43 || strings.ContainsAny(a, "+/=") {
		t.Fatalf("tokens %q %q", a, b)
	}
	if Hash(a) == Hash(b) || len(Hash(a)) != 64 {
		t.Fatal("hashes collide or have the wrong size")
	}
	if !Equal(a, a) || Equal(a, b) {
		t.Fatal("Equal is wrong")
	}
}
