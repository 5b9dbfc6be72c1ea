data "mcp_oauth_discovery" "server" {
  server_url = "https://mcp.example.com/mcp"
}

# A token for a registered client, obtained during the run and never stored.
# The token endpoint is taken from (and checked against) the issuer's metadata.
ephemeral "mcp_access_token" "agent" {
  issuer                     = data.mcp_oauth_discovery.server.authorization_server
  client_id                  = mcp_dynamic_client.agent.client_id
  client_secret              = mcp_dynamic_client.agent.client_secret
  token_endpoint_auth_method = "client_secret_basic"
  scope                      = data.mcp_oauth_discovery.server.scope
  resource                   = "https://mcp.example.com/mcp" # RFC 8707
}

# private_key_jwt: the key comes from an ephemeral variable, so it is never
# stored either.
variable "agent_key_pem" {
  type      = string
  sensitive = true
  ephemeral = true
}

ephemeral "mcp_access_token" "signed" {
  issuer                     = data.mcp_oauth_discovery.server.authorization_server
  client_id                  = "build-agent"
  token_endpoint_auth_method = "private_key_jwt"
  private_key_pem            = var.agent_key_pem
  private_key_id             = "agent-key-1"
}
