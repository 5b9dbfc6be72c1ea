# The tutorial's three stages of MCP OAuth preparation, plus a fourth, as one `apply`:
#   1. discover the MCP server's authorization server (RFC 9728),
#   2. discover that server's endpoints (RFC 8414 / OpenID Connect Discovery),
#   3. register a client with an Initial Access Token (RFC 7591), the token
#      minted during the run through Keycloak's admin API,
#   4. get a token for the client (client credentials, RFC 8707 resource) and
#      call the MCP server's whoami tool with it.
# `make demo` starts Keycloak and the MCP server and runs it; nothing else is
# done by hand. No token, Initial Access Token or admin password is stored.

terraform {
  required_providers {
    mcp = {
      source = "mcp-oauth/mcp"
    }
  }
}

variable "mcp_server_url" {
  description = "The MCP endpoint to prepare a client for."
  type        = string
  default     = "http://localhost:8000/mcp"
}

variable "keycloak_url" {
  description = "Keycloak's base URL, for its admin API."
  type        = string
  default     = "http://localhost:9000"
}

variable "keycloak_admin_password" {
  description = "Password of Keycloak's admin account (realm master); ephemeral, so it never reaches plan or state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

provider "mcp" {
  keycloak {
    url      = var.keycloak_url
    realm    = "mcp-oauth"
    username = "admin"
    password = var.keycloak_admin_password
  }
}

# Stage 1: the unauthenticated request, its 401 challenge, the resource metadata.
data "mcp_protected_resource_metadata" "server" {
  server_url = var.mcp_server_url
}

# Stage 2: the authorization server's metadata.
data "mcp_authorization_server_metadata" "keycloak" {
  issuer = data.mcp_protected_resource_metadata.server.authorization_servers[0]
}

# Stage 3: an Initial Access Token for one registration, minted now and
# deleted from Keycloak when the run no longer needs it; then the tutorial's
# sample registration.
ephemeral "mcp_keycloak_initial_access_token" "demo" {
  expiration         = 600
  registration_count = 1
}

resource "mcp_dynamic_client" "demo" {
  registration_endpoint   = data.mcp_authorization_server_metadata.keycloak.registration_endpoint
  initial_access_token_wo = ephemeral.mcp_keycloak_initial_access_token.demo.token

  client_name                = "MCP OAuth Demo Client"
  client_uri                 = "http://localhost:8888"
  redirect_uris              = ["http://localhost:8888/callback", "http://127.0.0.1:8888/callback"]
  grant_types                = ["authorization_code", "client_credentials"]
  response_types             = ["code"]
  scope                      = "mcp:read mcp:write"
  token_endpoint_auth_method = "client_secret_post"
}

# Stage 4: a token for the new client, bound to the issuer it registered with
# and to the MCP server (RFC 8707) ...
ephemeral "mcp_access_token" "demo" {
  issuer                     = data.mcp_authorization_server_metadata.keycloak.issuer
  client_id                  = mcp_dynamic_client.demo.client_id
  client_secret              = mcp_dynamic_client.demo.client_secret
  token_endpoint_auth_method = "client_secret_post"
  scope                      = provider::mcp::client_scope("", data.mcp_protected_resource_metadata.server.scopes_supported)
  resource                   = var.mcp_server_url
}

# ... sent by a provider alias to the MCP server: initialize, tools/list and
# a whoami call. The run fails if the server refuses the token or lacks whoami.
provider "mcp" {
  alias        = "as_demo_client"
  access_token = ephemeral.mcp_access_token.demo.access_token
}

data "mcp_server_probe" "demo" {
  provider       = mcp.as_demo_client
  server_url     = var.mcp_server_url
  required_tools = ["whoami"]
  call_tool      = "whoami"
  depends_on     = [mcp_dynamic_client.demo]
}

locals {
  registered = jsondecode(mcp_dynamic_client.demo.registered_metadata)
  whoami     = jsondecode(data.mcp_server_probe.demo.tool_output)
}

output "client_id" {
  value = mcp_dynamic_client.demo.client_id
}

output "client_secret" {
  value     = mcp_dynamic_client.demo.client_secret
  sensitive = true
}

output "summary" {
  description = "The four stages, printed the way the tutorial shows them."
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
      Initial Access Token: minted through Keycloak's admin API during the run (not stored)
      Registration Status:  SUCCESS
      Client ID:            ${mcp_dynamic_client.demo.client_id}
      Client Secret:        ******************** (hidden; in the sensitive output client_secret)
      Redirect URIs:        ${join(", ", sort(tolist(mcp_dynamic_client.demo.redirect_uris)))}
      Scopes:               ${try(local.registered.scope, mcp_dynamic_client.demo.scope)}
      Auth method:          ${try(local.registered.token_endpoint_auth_method, "-")}
      Management URI:       ${mcp_dynamic_client.demo.registration_client_uri}

    Stage 4: Token and tool call (client credentials, MCP)
      Access token:         obtained from ${data.mcp_authorization_server_metadata.keycloak.token_endpoint} (ephemeral, not stored)
      MCP server:           ${data.mcp_server_probe.demo.server_name} ${data.mcp_server_probe.demo.server_version}, protocol ${data.mcp_server_probe.demo.protocol_version}
      Tools:                ${join(", ", data.mcp_server_probe.demo.tool_names)}
      whoami client_id:     ${local.whoami.client_id}
      whoami scopes:        ${join(" ", local.whoami.scopes)}
      whoami audience:      ${join(", ", local.whoami.audience)}
      whoami issuer:        ${local.whoami.issuer}
  EOT
}
