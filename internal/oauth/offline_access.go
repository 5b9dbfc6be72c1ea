package oauth

import "strings"

// OfflineAccessScope is the scope that asks for a refresh token (OpenID
// Connect Core section 11). MCP 2026-07-28 lets clients add it to the scope
// they request when the authorization server lists it in scopes_supported,
// and only then; protected resources should not list it themselves.
const OfflineAccessScope = "offline_access"

// SupportsOfflineAccess reports whether scopes_supported lists offline_access.
func (m AuthorizationServerMetadata) SupportsOfflineAccess() bool {
	for _, s := range m.ScopesSupported {
		if s == OfflineAccessScope {
			return true
		}
	}
	return false
}

// WithOfflineAccess returns scope with offline_access added at the end when
// the server supports it and scope lacks it, else scope unchanged (so a
// client that does not want refresh tokens, or a server that does not offer
// offline_access, is never sent it).
func WithOfflineAccess(scope string, m AuthorizationServerMetadata) string {
	if !m.SupportsOfflineAccess() {
		return scope
	}
	for _, t := range strings.Fields(scope) {
		if t == OfflineAccessScope {
			return scope
		}
	}
	if strings.TrimSpace(scope) == "" {
		return OfflineAccessScope
	}
	return strings.TrimSpace(scope) + " " + OfflineAccessScope
}
