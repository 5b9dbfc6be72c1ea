# Needs the provider's keycloak block (or the MCP_KEYCLOAK_* variables).
# The token is minted during the run, handed to the write-only argument,
# never stored, and deleted from Keycloak when Terraform closes it.
ephemeral "mcp_keycloak_initial_access_token" "registration" {
  expiration         = 300 # seconds
  registration_count = 1
}

resource "mcp_dynamic_client" "agent" {
  registration_endpoint   = "https://sso.example.com/realms/mcp/clients-registrations/openid-connect"
  initial_access_token_wo = ephemeral.mcp_keycloak_initial_access_token.registration.token

  client_name   = "Build agent"
  redirect_uris = ["http://127.0.0.1:8888/callback"]
  grant_types   = ["client_credentials"]
  scope         = "mcp:read"
}
