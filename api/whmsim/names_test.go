package whmsim

import (
	"regexp"
	"testing"
)

func TestIsAppNameMatchesTheDocumentedPattern(t *testing.T) {
	pattern := regexp.MustCompile(`(?i)^[0-9a-z_-]+$`)
	cases := []string{"", "billing_invoices", "Billing-Support_2", "with space", "dot.ted", "ünï", "a/b", "A@", "x[", "`", "{"}
	for c := 0; c < 256; c++ {
		cases = append(cases, string([]byte{byte(c)}), "ok"+string([]byte{byte(c)}))
	}
	for _, v := range cases {
		if got, want := isAppName(v), pattern.MatchString(v); got != want {
			t.Errorf("isAppName(%q) = %v, want %v", v, got, want)
		}
	}
}
