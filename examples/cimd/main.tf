# CIMD or dynamic registration, chosen by discovery, in one configuration:
#   1. discovery says which registration paths the authorization server offers
#      and which one the MCP order picks;
#   2. with CIMD: render the Client ID Metadata Document, host it (here with
#      hashicorp/local, into the document root of a web server that serves
#      https://agent.example.com), and verify the hosted copy as the
#      authorization server will fetch it;
#   3. otherwise: register the client dynamically.
#
# Not run by `make test`: the test machines cannot install hashicorp/local
# (no registry access). The same render / host / verify sequence runs in the
# acceptance tests (internal/provider/realservers_cimd_test.go) with the test
# environment's HTTPS document host in place of local_file.

terraform {
  required_providers {
    mcp   = { source = "mcp-oauth/mcp" }
    local = { source = "hashicorp/local" }
  }
}

variable "mcp_server_url" {
  type    = string
  default = "https://mcp.example.com/mcp"
}

variable "document_root" {
  description = "Directory served as https://agent.example.com/ by your web server."
  type        = string
  default     = "/var/www/agent.example.com"
}

variable "initial_access_token" {
  type      = string
  sensitive = true
  ephemeral = true
  default   = null
}

data "mcp_oauth_discovery" "server" {
  server_url = var.mcp_server_url
}

locals {
  use_cimd = data.mcp_oauth_discovery.server.registration_path == "client_id_metadata_document"
}

data "mcp_client_metadata_document" "agent" {
  client_id     = "https://agent.example.com/oauth/client.json"
  client_name   = "Reporting agent"
  redirect_uris = ["http://127.0.0.1:8888/callback"]
  grant_types   = ["authorization_code", "refresh_token"]
  scope         = data.mcp_oauth_discovery.server.scope
}

resource "local_file" "client_json" {
  count           = local.use_cimd ? 1 : 0
  filename        = "${var.document_root}/oauth/client.json"
  content         = data.mcp_client_metadata_document.agent.json
  file_permission = "0644"
}

data "mcp_hosted_client_metadata_document" "agent" {
  count         = local.use_cimd ? 1 : 0
  url           = data.mcp_client_metadata_document.agent.client_id
  expected_json = local_file.client_json[0].content
}

resource "mcp_dynamic_client" "agent" {
  count                      = local.use_cimd ? 0 : 1
  registration_endpoint      = data.mcp_oauth_discovery.server.registration_endpoint
  initial_access_token_wo    = var.initial_access_token
  client_name                = "Reporting agent"
  redirect_uris              = ["http://127.0.0.1:8888/callback"]
  grant_types                = ["authorization_code", "refresh_token"]
  token_endpoint_auth_method = "none"
  scope                      = data.mcp_oauth_discovery.server.scope
}

output "registration_path" {
  value = data.mcp_oauth_discovery.server.registration_path
}

output "client_id" {
  value = local.use_cimd ? data.mcp_hosted_client_metadata_document.agent[0].url : mcp_dynamic_client.agent[0].client_id
}
