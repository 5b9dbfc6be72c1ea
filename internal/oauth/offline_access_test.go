package oauth

import "testing"

func TestWithOfflineAccess(t *testing.T) {
	offers := AuthorizationServerMetadata{ScopesSupported: []string{"openid", "offline_access"}}
	lacks := AuthorizationServerMetadata{ScopesSupported: []string{"openid"}}
	tests := []struct {
		scope string
		m     AuthorizationServerMetadata
		want  string
	}{
		{"mcp:basic", offers, "mcp:basic offline_access"},
		{"mcp:basic offline_access", offers, "mcp:basic offline_access"},
		{"", offers, "offline_access"},
		{"mcp:basic", lacks, "mcp:basic"},
		{"", lacks, ""},
		{"mcp:basic", AuthorizationServerMetadata{}, "mcp:basic"},
	}
	for _, tt := range tests {
		if got := WithOfflineAccess(tt.scope, tt.m); got != tt.want {
			t.Errorf("WithOfflineAccess(%q, %v) = %q, want %q", tt.scope, tt.m.ScopesSupported, got, tt.want)
		}
	}
	if !offers.SupportsOfflineAccess() || lacks.SupportsOfflineAccess() {
		t.Error("SupportsOfflineAccess")
	}
}
