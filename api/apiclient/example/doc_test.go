package example_test

import (
	"os"
	"strings"
	"testing"
)

// TestDocShowsTheExample keeps docs/billing-sync.md's Go example equal to
// billingsync.go (from its imports on), so what the contract test runs is
// what the page shows.
func TestDocShowsTheExample(t *testing.T) {
	src, err := os.ReadFile("billingsync.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../../docs/billing-sync.md")
	if err != nil {
		t.Fatal(err)
	}
	code := string(src)[strings.Index(string(src), "import ("):]
	_, block, ok := strings.Cut(string(doc), "```go\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 || block != code {
		t.Fatal("docs/billing-sync.md's Go example differs from api/apiclient/example/billingsync.go: copy the file's code from its imports on")
	}
}
