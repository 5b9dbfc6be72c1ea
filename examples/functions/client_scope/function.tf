output "scope_from_challenge" {
  # The challenge's scope wins: "mcp:read"
  value = provider::mcp::client_scope("Bearer scope=\"mcp:read\"", ["mcp:read", "mcp:write"])
}

output "scope_from_metadata" {
  # No challenge scope: every scopes_supported value, "mcp:read mcp:write"
  value = provider::mcp::client_scope("", ["mcp:read", "mcp:write"])
}
