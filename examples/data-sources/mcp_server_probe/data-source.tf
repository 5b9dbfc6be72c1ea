# A provider alias that sends the client's (ephemeral) token to MCP servers.
provider "mcp" {
  alias        = "as_agent"
  access_token = ephemeral.mcp_access_token.agent.access_token
}

data "mcp_server_probe" "agent" {
  provider   = mcp.as_agent
  server_url = "https://mcp.example.com/mcp"
  call_tool  = "whoami"
  # Read during apply when the client is created in the same run.
  depends_on = [mcp_dynamic_client.agent]
}

output "mcp_server" {
  value = "${data.mcp_server_probe.agent.server_name} speaks MCP ${data.mcp_server_probe.agent.protocol_version}; tools: ${join(", ", data.mcp_server_probe.agent.tool_names)}"
}
