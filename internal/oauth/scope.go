package oauth

import "strings"

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
		if s = strings.TrimSpace(s); s != "" && !containsString(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
