locals {
  challenge = provider::mcp::parse_www_authenticate(
    "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:read\""
  )
}

output "resource_metadata" {
  value = local.challenge.resource_metadata # "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
}

output "scope" {
  value = local.challenge.scope # "mcp:read"
}
