output "as_metadata_urls" {
  # ["https://sso.example.com/.well-known/oauth-authorization-server/realms/mcp",
  #  "https://sso.example.com/.well-known/openid-configuration/realms/mcp",
  #  "https://sso.example.com/realms/mcp/.well-known/openid-configuration",
  #  "https://sso.example.com/realms/mcp/.well-known/oauth-authorization-server"]
  value = provider::mcp::authorization_server_metadata_urls("https://sso.example.com/realms/mcp")
}
