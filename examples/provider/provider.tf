terraform {
  required_providers {
    mcp = {
      source = "mcp-oauth/mcp"
    }
  }
}

# Every argument is optional; each also reads an MCP_* environment variable.
provider "mcp" {
  request_timeout = "30s"
  retries         = 2

  # Trust a private CA instead of the system roots.
  # ca_cert_pem = file("${path.module}/ca.pem")

  # Plain http to hosts that are not loopback, e.g. a container network.
  # allow_insecure_http = true

  # Extra headers, for example for an API gateway in front of the servers.
  # Their values are treated as secrets; headers_hosts keeps them to the
  # hosts that should see them.
  headers = {
    "X-Gateway-Key" = var.gateway_key
  }
  headers_hosts = ["mcp.example.com", "*.sso.example.com"]

  # Keycloak admin access, for mcp_keycloak_initial_access_token. Password
  # grant (here) or client credentials (client_id + client_secret). Leave the
  # block out and set MCP_KEYCLOAK_URL, MCP_KEYCLOAK_REALM, MCP_KEYCLOAK_USERNAME,
  # MCP_KEYCLOAK_PASSWORD (...) instead to keep credentials out of the code.
  keycloak {
    url      = "https://sso.example.com"
    realm    = "mcp"
    username = "admin"
    password = var.keycloak_admin_password
  }
}

variable "keycloak_admin_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "gateway_key" {
  type      = string
  sensitive = true
}
