# The Initial Access Token is passed through an ephemeral variable into a
# write-only argument: it never lands in plan or state (Terraform / OpenTofu 1.11+).
variable "initial_access_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

data "mcp_oauth_discovery" "this" {
  server_url = "https://mcp.example.com/mcp"
}

resource "mcp_dynamic_client" "claude_desktop" {
  registration_endpoint   = data.mcp_oauth_discovery.this.registration_endpoint
  initial_access_token_wo = var.initial_access_token
  # The credentials belong to this authorization server; if the MCP server
  # moves to another one, a new client is registered there.
  issuer = data.mcp_oauth_discovery.this.authorization_server

  client_name                = "Example MCP client"
  application_type           = "native"
  redirect_uris              = ["http://127.0.0.1:33418/callback"]
  grant_types                = ["authorization_code", "refresh_token"]
  response_types             = ["code"]
  token_endpoint_auth_method = "none" # public client using PKCE
  scope                      = data.mcp_oauth_discovery.this.scope_with_offline_access
  contacts                   = ["platform-team@example.com"]

  # Vendor fields not modelled as arguments.
  extra_metadata = jsonencode({
    frontchannel_logout_session_required = false
  })

  # Change to register a new client (new client_id and secret).
  keepers = {
    rotation = "2025-q3"
  }
}

output "client_id" {
  value = mcp_dynamic_client.claude_desktop.client_id
}

# How the client must authenticate at the token endpoint, as the server
# registered it (it may differ from token_endpoint_auth_method).
output "token_endpoint_auth_method" {
  value = mcp_dynamic_client.claude_desktop.registered_token_endpoint_auth_method
}
