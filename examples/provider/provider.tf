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

  headers = {
    "X-Gateway-Tenant" = "platform"
  }
}
