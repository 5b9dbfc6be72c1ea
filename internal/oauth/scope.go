package oauth

import (
	"slices"
	"strings"
)

// SelectScope is MCP's scope selection (2025-11-25, "Scope Selection
// Strategy"): the scope of the Bearer challenge when the server sent one,
// else every scope of the protected resource metadata's scopes_supported,
// space-separated; "" when neither says anything (then omit the parameter).
func SelectScope(challengeScope string, scopesSupported []string) string {
	if s := strings.Join(strings.Fields(challengeScope), " "); s != "" {
		return s
	}
	var out []string
	for _, s := range scopesSupported {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}
