package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*serverProbeEphemeral)(nil)

// NewServerProbeEphemeral is the mcp_server_probe ephemeral resource.
func NewServerProbeEphemeral() ephemeral.EphemeralResource { return &serverProbeEphemeral{} }

type serverProbeEphemeral struct {
	data *providerData
}

type serverProbeEphemeralModel struct {
	AccessToken types.String `tfsdk:"access_token"`
	serverProbeModel
}

func (e *serverProbeEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_server_probe"
}

func (e *serverProbeEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Opens an MCP session with an access token (`initialize`, then `tools/list`), optionally calls " +
			"one tool, and reports the server's name, protocol version and tools. The run fails when the server refuses " +
			"the token, a required tool is missing or the tool call fails, so one `apply` proves that a registered client " +
			"really works. Nothing is stored. To show the results in outputs, use the `mcp_server_probe` data source " +
			"instead. Needs Terraform 1.10 or OpenTofu 1.11.",
		Attributes: map[string]schema.Attribute{
			"server_url": schema.StringAttribute{MarkdownDescription: probeServerURLDesc, Required: true},
			"access_token": schema.StringAttribute{
				MarkdownDescription: "Bearer token sent to the server, for example `ephemeral.mcp_access_token.x.access_token`. " +
					"Without it the probe shows whether the server lets anonymous clients in.",
				Optional: true, Sensitive: true,
			},
			"required_tools":   schema.ListAttribute{MarkdownDescription: probeRequiredToolsDesc, Optional: true, ElementType: types.StringType},
			"call_tool":        schema.StringAttribute{MarkdownDescription: probeCallToolDesc, Optional: true},
			"call_arguments":   schema.StringAttribute{MarkdownDescription: probeCallArgumentsDesc, Optional: true},
			"server_name":      schema.StringAttribute{MarkdownDescription: probeServerNameDesc, Computed: true},
			"server_version":   schema.StringAttribute{MarkdownDescription: probeServerVersionDesc, Computed: true},
			"protocol_version": schema.StringAttribute{MarkdownDescription: probeProtocolDesc, Computed: true},
			"tool_names":       schema.ListAttribute{MarkdownDescription: probeToolNamesDesc, Computed: true, ElementType: types.StringType},
			"tool_output":      schema.StringAttribute{MarkdownDescription: probeToolOutputDesc, Computed: true},
		},
	}
}

func (e *serverProbeEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *serverProbeEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m serverProbeEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	runProbe(ctx, e.data, &m.serverProbeModel, m.AccessToken.ValueString(), "mcp_server_probe", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
