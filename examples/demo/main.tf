# The tutorial's three stages of MCP OAuth preparation as one `apply`:
#   1. discover the MCP server's authorization server (RFC 9728),
#   2. discover that server's endpoints (RFC 8414 / OpenID Connect Discovery),
#   3. register a client with an Initial Access Token (RFC 7591).
# `make demo` starts Keycloak and the MCP server, mints the token and runs it.

terraform {
  required_providers {
    mcp = {
      source = "mcp-oauth/mcp"
    }
  }
}

provider "mcp" {}

variable "mcp_server_url" {
  description = "The MCP endpoint to prepare a client for."
  type        = string
  default     = "http://localhost:8000/mcp"
}

variable "initial_access_token" {
  description = "Keycloak Initial Access Token; ephemeral, so it never reaches plan or state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

# Stage 1: the unauthenticated request, its 401 challenge, the resource metadata.
data "mcp_protected_resource_metadata" "server" {
  server_url = var.mcp_server_url
}

# Stage 2: the authorization server's metadata.
data "mcp_authorization_server_metadata" "keycloak" {
  issuer = data.mcp_protected_resource_metadata.server.authorization_servers[0]
}

# Stage 3: the tutorial's sample registration.
resource "mcp_dynamic_client" "demo" {
  registration_endpoint   = data.mcp_authorization_server_metadata.keycloak.registration_endpoint
  initial_access_token_wo = var.initial_access_token

  client_name                = "MCP OAuth Demo Client"
  client_uri                 = "http://localhost:8888"
  redirect_uris              = ["http://localhost:8888/callback", "http://127.0.0.1:8888/callback"]
  grant_types                = ["authorization_code", "client_credentials"]
  response_types             = ["code"]
  scope                      = "mcp:read mcp:write"
  token_endpoint_auth_method = "client_secret_post"
}

locals {
  registered = jsondecode(mcp_dynamic_client.demo.registered_metadata)
}

output "client_id" {
  value = mcp_dynamic_client.demo.client_id
}

output "client_secret" {
  value     = mcp_dynamic_client.demo.client_secret
  sensitive = true
}

output "summary" {
  description = "The three stages, printed the way the tutorial shows them."
  value       = <<-EOT
    Stage 1: MCP Protected Resource Metadata Discovery (RFC 9728)
      MCP server:            ${var.mcp_server_url}
      Challenge scope:       ${coalesce(data.mcp_protected_resource_metadata.server.challenge_scope, "(no challenge)")}
      Metadata found at:     ${data.mcp_protected_resource_metadata.server.metadata_url}
      Authorization Server:  ${data.mcp_protected_resource_metadata.server.authorization_servers[0]}

    Stage 2: Authorization Server Metadata Discovery (RFC 8414)
      Metadata found at:       ${data.mcp_authorization_server_metadata.keycloak.metadata_url} (${data.mcp_authorization_server_metadata.keycloak.metadata_source})
      Authorization Endpoint:  ${data.mcp_authorization_server_metadata.keycloak.authorization_endpoint}
      Token Endpoint:          ${data.mcp_authorization_server_metadata.keycloak.token_endpoint}
      Registration Endpoint:   ${data.mcp_authorization_server_metadata.keycloak.registration_endpoint}
      PKCE S256 supported:     ${data.mcp_authorization_server_metadata.keycloak.pkce_s256_supported}

    Stage 3: Dynamic Client Registration (RFC 7591)
      Registration Status:  SUCCESS
      Client ID:            ${mcp_dynamic_client.demo.client_id}
      Client Secret:        ******************** (hidden; in the sensitive output client_secret)
      Redirect URIs:        ${join(", ", sort(tolist(mcp_dynamic_client.demo.redirect_uris)))}
      Scopes:               ${try(local.registered.scope, mcp_dynamic_client.demo.scope)}
      Auth method:          ${try(local.registered.token_endpoint_auth_method, "-")}
      Management URI:       ${mcp_dynamic_client.demo.registration_client_uri}
  EOT
}
