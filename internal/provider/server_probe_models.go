package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/mcpprobe"
)

// The MCP probe exists as an ephemeral resource (token as an argument) and
// as a data source (token from the provider's mcp_access_token setting, so
// its non-secret results can be shown in outputs). Both share this model.

type serverProbeModel struct {
	ServerURL       types.String `tfsdk:"server_url"`
	RequiredTools   types.List   `tfsdk:"required_tools"`
	CallTool        types.String `tfsdk:"call_tool"`
	CallArguments   types.String `tfsdk:"call_arguments"`
	ServerName      types.String `tfsdk:"server_name"`
	ServerVersion   types.String `tfsdk:"server_version"`
	ProtocolVersion types.String `tfsdk:"protocol_version"`
	ToolNames       types.List   `tfsdk:"tool_names"`
	ToolOutput      types.String `tfsdk:"tool_output"`
}

// Descriptions shared by both schemas.
const (
	probeServerURLDesc     = "The MCP endpoint, for example `https://mcp.example.com/mcp`."
	probeRequiredToolsDesc = "Tools the server must offer; the run fails, naming the missing ones and those offered, when one is absent."
	probeCallToolDesc      = "A tool to call once after `tools/list`, for example `whoami`. The run fails when the server " +
		"lacks it or the call reports an error."
	probeCallArgumentsDesc = "Arguments of `call_tool` as a JSON object, for example `jsonencode({ text = \"hi\" })`. Defaults to `{}`."
	probeServerNameDesc    = "`serverInfo.name` from the `initialize` answer."
	probeServerVersionDesc = "`serverInfo.version` from the `initialize` answer."
	probeProtocolDesc      = "The MCP protocol version the session agreed on."
	probeToolNamesDesc     = "Names of the tools `tools/list` returned (every page), sorted."
	probeToolOutputDesc    = "What `call_tool` returned: its structured content as JSON, else its text content; empty without `call_tool`."
)

// runProbe probes and fills m, or adds diagnostics.
func runProbe(ctx context.Context, data *providerData, m *serverProbeModel, token, what string, diags *diag.Diagnostics) {
	client := clientFor(data, what, diags)
	if client == nil {
		return
	}
	checkTransport(path.Root("server_url"), m.ServerURL.ValueString(), data, diags)
	var required []string
	if !m.RequiredTools.IsNull() {
		diags.Append(m.RequiredTools.ElementsAs(ctx, &required, false)...)
	}
	if diags.HasError() {
		return
	}
	req := mcpprobe.Request{
		ServerURL: m.ServerURL.ValueString(), AccessToken: token, RequiredTools: required,
		CallTool: m.CallTool.ValueString(), ClientName: "terraform-provider-mcp", ClientVersion: data.Version,
	}
	if a := m.CallArguments.ValueString(); a != "" {
		req.CallArguments = json.RawMessage(a)
	}
	ctx = withSecretMasking(ctx, append(data.secrets(), token)...)
	res, err := mcpprobe.Probe(ctx, client, req)
	if err != nil {
		addProbeError(diags, err, m.ServerURL.ValueString())
		return
	}
	m.ServerName = types.StringValue(res.ServerName)
	m.ServerVersion = types.StringValue(res.ServerVersion)
	m.ProtocolVersion = types.StringValue(res.ProtocolVersion)
	names, d := types.ListValueFrom(ctx, types.StringType, append([]string{}, res.ToolNames...))
	diags.Append(d...)
	m.ToolNames = names
	m.ToolOutput = types.StringValue(res.ToolOutput)
}

func addProbeError(diags *diag.Diagnostics, err error, serverURL string) {
	var pe *mcpprobe.Error
	if !errors.As(err, &pe) {
		diags.AddError("MCP probe failed", err.Error())
		return
	}
	switch pe.Kind {
	case mcpprobe.KindTokenRefused:
		diags.AddAttributeError(path.Root("server_url"), "The MCP server refused the access token",
			fmt.Sprintf("%s answered: %v. The token is missing, expired, or not meant for this server: request it with "+
				"resource set to this server's URL (RFC 8707) and the scopes the server asks for, from the authorization "+
				"server the server's metadata names.", serverURL, pe))
	case mcpprobe.KindForbidden:
		diags.AddAttributeError(path.Root("server_url"), "The MCP server refused the request",
			fmt.Sprintf("%s answered: %v. With insufficient_scope, request the scope the challenge names.", serverURL, pe))
	case mcpprobe.KindMissingTools:
		diags.AddAttributeError(path.Root("required_tools"), "Required MCP tool missing",
			fmt.Sprintf("%s: %v. Check the tool names (they are case-sensitive) and that the token's scopes let the "+
				"server show them.", serverURL, pe))
	case mcpprobe.KindToolFailed:
		diags.AddAttributeError(path.Root("call_tool"), "MCP tool call failed", fmt.Sprintf("%s: %v", serverURL, pe))
	case mcpprobe.KindRequest:
		diags.AddAttributeError(path.Root("server_url"), "Unusable probe request", pe.Error())
	default:
		diags.AddAttributeError(path.Root("server_url"), "MCP session failed",
			fmt.Sprintf("%s: %v. Check that the URL is the MCP endpoint (streamable HTTP transport).", serverURL, strings.TrimSpace(pe.Error())))
	}
}
