# Import by the client's registration client URI (RFC 7592). The registration
# access token is read from the provider configuration (registration_access_token)
# or the environment, so no secret sits in the import id.
export MCP_REGISTRATION_ACCESS_TOKEN="eyJhbGciOi..."
terraform import mcp_dynamic_client.claude_desktop \
  "https://sso.example.com/realms/mcp/clients-registrations/openid-connect/2f1c0a8e-5d3b-4c4e-9a57-3b8f0c1d2e4f"
