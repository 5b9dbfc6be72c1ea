# Fetch an authorization server's metadata (RFC 8414 or OpenID Connect
# Discovery) from its issuer identifier.
data "mcp_authorization_server_metadata" "keycloak" {
  issuer = "https://auth.example.com/realms/mcp"
}

output "registration_endpoint" {
  value = data.mcp_authorization_server_metadata.keycloak.registration_endpoint
}

# Which document answered (oauth or oidc) and where.
output "found_at" {
  value = "${data.mcp_authorization_server_metadata.keycloak.metadata_source} at ${data.mcp_authorization_server_metadata.keycloak.metadata_url}"
}

# Refuse to go on with a server that does not advertise PKCE S256, as MCP requires.
check "pkce_s256" {
  assert {
    condition     = data.mcp_authorization_server_metadata.keycloak.pkce_s256_supported
    error_message = "The authorization server does not advertise PKCE S256."
  }
}

# A provider that publishes its issuer with a trailing slash.
data "mcp_authorization_server_metadata" "trailing_slash" {
  issuer       = "https://tenant.auth.example.com"
  issuer_match = "allow_trailing_slash"
}
