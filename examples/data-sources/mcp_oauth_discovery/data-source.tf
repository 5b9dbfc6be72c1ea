# Run the whole MCP discovery chain from the MCP server URL: protected
# resource metadata, then the first authorization server it lists, then that
# server's metadata.
data "mcp_oauth_discovery" "this" {
  server_url = "https://mcp.example.com/mcp"
}

output "registration_endpoint" {
  value = data.mcp_oauth_discovery.this.registration_endpoint
}

# The scope to request: the challenge's scope, else scopes_supported.
output "scope" {
  value = data.mcp_oauth_discovery.this.scope
}

# The RFC 8707 resource parameter for authorization and token requests.
output "resource" {
  value = data.mcp_oauth_discovery.this.resource
}

# Pick another of the listed authorization servers.
data "mcp_oauth_discovery" "secondary" {
  server_url           = "https://mcp.example.com/mcp"
  authorization_server = "https://login.example.com"
  issuer_match         = "allow_trailing_slash"
  # Entra ID and Cognito support PKCE S256 without advertising it.
  require_pkce_s256 = false
}

# Which registration paths the authorization server offers, and the one the
# MCP order picks: client_id_metadata_document, dynamic_client_registration
# or pre_registered.
output "registration_path" {
  value = data.mcp_oauth_discovery.this.registration_path
}
