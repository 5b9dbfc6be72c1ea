# Discover an MCP server's protected resource metadata (RFC 9728) from its
# endpoint URL: the provider reads the WWW-Authenticate challenge, then the
# well-known URLs.
data "mcp_protected_resource_metadata" "this" {
  server_url = "https://mcp.example.com/mcp"
}

output "authorization_servers" {
  value = data.mcp_protected_resource_metadata.this.authorization_servers
}

# The scope the server asked for in its challenge, which MCP clients request.
output "scope" {
  value = data.mcp_protected_resource_metadata.this.challenge_scope
}

# A server that publishes its root (https://mcp.example.com/) as the resource
# for https://mcp.example.com/mcp, with the document at a known URL.
data "mcp_protected_resource_metadata" "root_published" {
  server_url     = "https://mcp.example.com/mcp"
  metadata_url   = "https://mcp.example.com/.well-known/oauth-protected-resource"
  resource_match = "same_origin_prefix"
}

# Vendor fields the provider does not model are in metadata_json.
output "vendor_fields" {
  value = jsondecode(data.mcp_protected_resource_metadata.root_published.metadata_json)
}
