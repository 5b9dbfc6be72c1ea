# Terraform / OpenTofu 1.12: import by resource identity. The registration
# access token comes from the provider's registration_access_token or
# MCP_REGISTRATION_ACCESS_TOKEN, never from the import block.
import {
  to = mcp_dynamic_client.agent
  identity = {
    registration_client_uri = "https://sso.example.com/realms/mcp/clients-registrations/openid-connect/3f1c2a9e-0000-4000-8000-000000000000"
    client_id               = "3f1c2a9e-0000-4000-8000-000000000000"
  }
}
