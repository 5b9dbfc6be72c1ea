package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var (
	_ datasource.DataSourceWithConfigure      = (*hostedClientMetadataDocumentDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*hostedClientMetadataDocumentDataSource)(nil)
)

// NewHostedClientMetadataDocumentDataSource is the mcp_hosted_client_metadata_document data source.
func NewHostedClientMetadataDocumentDataSource() datasource.DataSource {
	return &hostedClientMetadataDocumentDataSource{}
}

type hostedClientMetadataDocumentDataSource struct {
	discoveryDataSource
}

type hostedClientMetadataDocumentModel struct {
	URL            types.String `tfsdk:"url"`
	ExpectedJSON   types.String `tfsdk:"expected_json"`
	MaxBytes       types.Int64  `tfsdk:"max_bytes"`
	FailOnProblems types.Bool   `tfsdk:"fail_on_problems"`

	Valid          types.Bool   `tfsdk:"valid"`
	Problems       types.List   `tfsdk:"problems"`
	StatusCode     types.Int64  `tfsdk:"status_code"`
	ContentType    types.String `tfsdk:"content_type"`
	CacheControl   types.String `tfsdk:"cache_control"`
	Body           types.String `tfsdk:"body"`
	SHA256         types.String `tfsdk:"sha256"`
	Size           types.Int64  `tfsdk:"size"`
	MatchesRender  types.Bool   `tfsdk:"matches_expected"`
	ClientName     types.String `tfsdk:"client_name"`
	AuthMethod     types.String `tfsdk:"token_endpoint_auth_method"`
	RedirectURIs   types.List   `tfsdk:"redirect_uris"`
	ServedClientID types.String `tfsdk:"served_client_id"`
}

func (d *hostedClientMetadataDocumentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_hosted_client_metadata_document"
}

func (d *hostedClientMetadataDocumentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Fetches a hosted Client ID Metadata Document the way an authorization server does and fails " +
			"the run when a server would refuse it: one `GET` with redirects not followed, only `200` accepted, a JSON " +
			"`Content-Type`, at most `max_bytes` read, `client_id` identical to the URL, every document rule of " +
			"`mcp_client_metadata_document`, and, with `expected_json`, the same content as rendered (formatting may " +
			"differ).\n\n" +
			"Reference the hosting resource (or use `depends_on`) so the check runs after it in the same apply. The " +
			"provider's `ca_cert_pem` and `request_timeout` apply; its `headers` and `retries` do not, because an " +
			"authorization server sends neither. Set `fail_on_problems = false` to read `valid` and `problems` in a " +
			"`postcondition` or a `check` block instead.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				MarkdownDescription: "The Client Identifier URL, usually `data.mcp_client_metadata_document.<name>.client_id`.",
				Required:            true,
			},
			"expected_json": schema.StringAttribute{
				MarkdownDescription: "The document as rendered, usually `data.mcp_client_metadata_document.<name>.json`. The " +
					"hosted document must hold the same JSON value; members that differ are named in the error.",
				Optional: true,
			},
			"max_bytes": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The largest document accepted, in bytes; default %d (Keycloak's limit; the "+
					"draft recommends 5 kilobytes).", oauth.CIMDMaxBytes),
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"fail_on_problems": schema.BoolAttribute{
				MarkdownDescription: "Whether a document a server would refuse is an error (default `true`). With `false` " +
					"the result is recorded with `valid = false` and the reasons in `problems`. Network and TLS failures " +
					"are errors either way.",
				Optional: true,
			},
			"valid": computedBool("Whether an authorization server would accept the document (warnings allowed)."),
			"problems": computedList("Every rule the hosting or the document breaks, warnings included, each with the " +
				"section it comes from. Empty when there are none."),
			"status_code":                schema.Int64Attribute{MarkdownDescription: "The HTTP status of the answer.", Computed: true},
			"content_type":               computedString("The `Content-Type` served; null when absent."),
			"cache_control":              computedString("The `Cache-Control` served; null when absent. Servers cache documents by it (with bounds of their own)."),
			"body":                       computedString("The document as served (at most `max_bytes` + 1 bytes)."),
			"sha256":                     computedString("Lower-case hex SHA-256 of `body`."),
			"size":                       schema.Int64Attribute{MarkdownDescription: "Size of `body` in bytes.", Computed: true},
			"matches_expected":           computedBool("Whether `body` holds the same JSON value as `expected_json` (false when that is not set)."),
			"served_client_id":           computedString("The document's `client_id`; null when absent or not a string."),
			"client_name":                computedString("The document's `client_name`; null when absent."),
			"token_endpoint_auth_method": computedString("The document's `token_endpoint_auth_method`; null when absent."),
			"redirect_uris":              computedList("The document's `redirect_uris`; empty when absent."),
		},
	}
}

func (d *hostedClientMetadataDocumentDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var u types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("url"), &u)...)
	if u.IsNull() || u.IsUnknown() {
		return
	}
	addCIMDProblems(&resp.Diagnostics, oauth.CIMDErrors(oauth.CheckClientIDURL(u.ValueString())), "url")
}

func (d *hostedClientMetadataDocumentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg hostedClientMetadataDocumentModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, client := d.beginRead(ctx, &resp.Diagnostics)
	if client == nil {
		return
	}
	url := cfg.URL.ValueString()
	res, err := client.FetchClientMetadataDocument(ctx, oauth.ClientMetadataDocumentRequest{
		URL:      url,
		Expected: []byte(cfg.ExpectedJSON.ValueString()),
		MaxBytes: int(cfg.MaxBytes.ValueInt64()),
	})
	failOnProblems := cfg.FailOnProblems.IsNull() || cfg.FailOnProblems.ValueBool()
	switch {
	case err != nil && res == nil && !oauth.IsClientMetadataDocumentError(err):
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Cannot fetch the client metadata document",
			validUTF8(fmt.Sprintf("%v\n\nAn authorization server could not fetch it either. Check that the hosting is up "+
				"and reachable from where Terraform runs; for a private CA set `ca_cert_pem` in the provider block.", err)))
		return
	case err != nil && failOnProblems:
		resp.Diagnostics.AddAttributeError(path.Root("url"), "Client ID metadata document would be refused",
			validUTF8(err.Error()+"\n\nFix the hosting resource or the document, then apply again. To record the result "+
				"without failing, set `fail_on_problems = false` and test `valid` in a postcondition or a check block."))
		return
	}

	if err != nil {
		// Recorded rather than failed: say so once, so it is not missed.
		resp.Diagnostics.AddAttributeWarning(path.Root("url"), "Client ID metadata document would be refused",
			validUTF8(err.Error()+"\n\nRecorded in `valid` and `problems` because fail_on_problems is false."))
	}
	state := cfg
	state.Valid = types.BoolValue(err == nil)
	var problems []string
	if res != nil {
		for _, p := range res.Problems {
			text := p.Error()
			if p.Warning {
				text = "warning: " + text
			}
			problems = append(problems, validUTF8(text))
		}
	} else if err != nil {
		problems = append(problems, validUTF8(err.Error()))
	}
	state.Problems = stringList(problems)
	if res == nil { // the URL itself breaks the rules: nothing was fetched
		state.StatusCode = types.Int64Null()
		state.ContentType, state.CacheControl, state.Body, state.SHA256 = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
		state.Size = types.Int64Null()
		state.MatchesRender = types.BoolValue(false)
		state.ServedClientID, state.ClientName, state.AuthMethod = types.StringNull(), types.StringNull(), types.StringNull()
		state.RedirectURIs = stringList(nil)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	state.StatusCode = types.Int64Value(int64(res.Status))
	state.ContentType = metadataString(res.ContentType)
	state.CacheControl = metadataString(res.CacheControl)
	state.Body = types.StringValue(validUTF8(string(res.Body)))
	state.SHA256 = types.StringValue(res.SHA256)
	state.Size = types.Int64Value(int64(len(res.Body)))
	state.MatchesRender = types.BoolValue(res.SameAsExpected)
	served := oauth.ClientMetadata{}
	_ = served.UnmarshalJSON(res.Body) // best effort: the problems say what is wrong
	fields, _ := served.Fields()
	state.ServedClientID = types.StringNull()
	if raw, ok := fields[oauth.FieldClientID]; ok {
		var id string
		if json.Unmarshal(raw, &id) == nil {
			state.ServedClientID = types.StringValue(validUTF8(id))
		}
	}
	state.ClientName = metadataString(served.ClientName)
	state.AuthMethod = metadataString(served.TokenEndpointAuthMethod)
	state.RedirectURIs = stringList(served.RedirectURIs)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	for _, p := range res.Problems {
		if p.Warning {
			resp.Diagnostics.AddAttributeWarning(path.Root("url"), validUTF8(upperFirst(p.Rule)), validUTF8(p.Error()))
		}
	}
}
