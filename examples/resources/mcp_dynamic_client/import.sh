# Import by the client's registration client URI (RFC 7592). The registration
# access token is read from the provider configuration (registration_access_token)
# or the environment, so no secret sits in the import id.
export MCP_REGISTRATION_ACCESS_TOKEN="eyJhbGciOi..."
terraform import mcp_dynamic_client.claude_desktop \
  "https://sso.example.com/realms/mcp/clients-registrations/openid-connect/2f1c0a8e-5d3b-4c4e-9a57-3b8f0c1d2e4f"

# The registration endpoint is recorded from the URI when the URI is the
# endpoint followed by /<client_id> (Keycloak, Ory Hydra, node-oidc-provider).
# Otherwise name it after a comma: <registration_client_uri>,<registration_endpoint>.
terraform import mcp_dynamic_client.other \
  "https://as.example.com/manage/clients/abc123,https://as.example.com/register"
