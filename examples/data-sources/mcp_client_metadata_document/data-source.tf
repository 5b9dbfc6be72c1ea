# A public MCP client (PKCE, no secret) published as a Client ID Metadata
# Document. Every rule of the draft and of the MCP specification is checked
# at plan time; `json` is ready for any hosting resource.
data "mcp_client_metadata_document" "agent" {
  client_id     = "https://agent.example.com/oauth/client.json"
  client_name   = "Reporting agent"
  redirect_uris = ["http://127.0.0.1:8888/callback", "http://localhost:8888/callback"]
  grant_types   = ["authorization_code", "refresh_token"]
  scope         = "mcp:read mcp:write"
  logo_uri      = "https://agent.example.com/logo.png"
  # token_endpoint_auth_method defaults to "none".
}

output "document" {
  value = data.mcp_client_metadata_document.agent.json
}

# A confidential client that authenticates with private_key_jwt: only the
# public keys go into the document.
data "mcp_client_metadata_document" "backend" {
  client_id                  = "https://agent.example.com/oauth/backend.json"
  client_name                = "Reporting backend"
  redirect_uris              = ["https://agent.example.com/callback"]
  grant_types                = ["authorization_code", "client_credentials"]
  token_endpoint_auth_method = "private_key_jwt"
  jwks_uri                   = "https://agent.example.com/oauth/jwks.json"
}
