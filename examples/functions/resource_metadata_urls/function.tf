output "prm_urls" {
  # ["https://api.example.com/.well-known/oauth-protected-resource/v1/mcp",
  #  "https://api.example.com/.well-known/oauth-protected-resource"]
  value = provider::mcp::resource_metadata_urls("https://api.example.com/v1/mcp")
}
