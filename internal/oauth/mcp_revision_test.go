package oauth

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// mcpRevisions are the published revisions of the MCP specification, oldest first.
var mcpRevisions = []string{"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"}

// TestMCPProtocolVersionIsNewestCited ties the revision sent on the wire to
// the revisions the code and docs cite: MCPProtocolVersion is a published
// revision, and nothing in the repository cites a newer one, so the header,
// the schema descriptions and the docs cannot drift apart again.
func TestMCPProtocolVersionIsNewestCited(t *testing.T) {
	known := -1
	for i, r := range mcpRevisions {
		if r == MCPProtocolVersion {
			known = i
		}
	}
	if known < 0 {
		t.Fatalf("MCPProtocolVersion %q is not a published MCP revision %v", MCPProtocolVersion, mcpRevisions)
	}
	date := regexp.MustCompile(`\b20\d\d-\d\d-\d\d\b`)
	var files []string
	for _, pattern := range []string{"*.go", "../provider/*.go", "../../README.md", "../../docs/*.md", "../../docs/*/*.md"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d files to check", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range date.FindAllString(string(src), -1) {
			for i, r := range mcpRevisions {
				if d == r && i > known {
					t.Errorf("%s cites MCP revision %s, newer than MCPProtocolVersion %s", f, d, MCPProtocolVersion)
				}
			}
		}
	}
}
