package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*serverProbeDataSource)(nil)

// NewServerProbeDataSource is the mcp_server_probe data source.
func NewServerProbeDataSource() datasource.DataSource { return &serverProbeDataSource{} }

type serverProbeDataSource struct {
	data *providerData
}

func (d *serverProbeDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_server_probe"
}

func (d *serverProbeDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Opens an MCP session (`initialize`, then `tools/list`), optionally calls one tool, and reports " +
			"the server's name, protocol version and tools, like the `mcp_server_probe` ephemeral resource, but with the " +
			"token of the provider's `access_token` setting, so the (non-secret) results can go to outputs. Configure an " +
			"aliased provider with `access_token = ephemeral.mcp_access_token.x.access_token`; when the token depends on a " +
			"client created in the same run, add `depends_on` on that client so the probe is read during apply. Results " +
			"are stored in state like any data source's: do not call tools whose output is secret.",
		Attributes: map[string]schema.Attribute{
			"server_url":       schema.StringAttribute{MarkdownDescription: probeServerURLDesc, Required: true},
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

func (d *serverProbeDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *serverProbeDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m serverProbeModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	token := ""
	if d.data != nil {
		token = d.data.AccessToken
	}
	runProbe(ctx, d.data, &m, token, "data.mcp_server_probe", &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
