# Fails the run unless the MCP server accepts the token, offers the tools the
# deployment relies on, and answers a whoami call.
ephemeral "mcp_server_probe" "agent" {
  server_url     = "https://mcp.example.com/mcp"
  access_token   = ephemeral.mcp_access_token.agent.access_token
  required_tools = ["search", "whoami"]
  call_tool      = "whoami"
}
