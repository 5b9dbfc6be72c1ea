package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const (
	defaultIATExpiration = 600
	defaultIATCount      = 1
	iatPrivateKey        = "initial_access_token"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure = (*keycloakIATEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*keycloakIATEphemeral)(nil)
)

// NewKeycloakInitialAccessTokenEphemeral is the mcp_keycloak_initial_access_token ephemeral resource.
func NewKeycloakInitialAccessTokenEphemeral() ephemeral.EphemeralResource {
	return &keycloakIATEphemeral{}
}

type keycloakIATEphemeral struct {
	data *providerData
}

type keycloakIATModel struct {
	Realm         types.String `tfsdk:"realm"`
	Expiration    types.Int64  `tfsdk:"expiration"`
	Count         types.Int64  `tfsdk:"registration_count"`
	DeleteOnClose types.Bool   `tfsdk:"delete_on_close"`
	ID            types.String `tfsdk:"id"`
	Token         types.String `tfsdk:"token"`
	ExpiresAt     types.String `tfsdk:"expires_at"`
}

// iatPrivate is what Close needs to delete the token; never the token itself.
type iatPrivate struct {
	Realm string `json:"realm"`
	ID    string `json:"id"`
}

func (e *keycloakIATEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_keycloak_initial_access_token"
}

func (e *keycloakIATEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Mints a Keycloak Initial Access Token (RFC 7591 section 3) through Keycloak's admin REST API " +
			"during the run, ready for `mcp_dynamic_client`'s `initial_access_token_wo`. Uses the provider's `keycloak` " +
			"block for admin access. As an ephemeral resource it is never stored in plan or state; Terraform opens it in " +
			"every plan and apply that needs it, and when it is closed the provider deletes the token from Keycloak " +
			"(unless `delete_on_close = false`). Needs Terraform 1.10 or OpenTofu 1.11 (write-only arguments: 1.11 on both).",
		Attributes: map[string]schema.Attribute{
			"realm": schema.StringAttribute{
				MarkdownDescription: "The realm the token registers clients in. Defaults to the provider's `keycloak.realm`.",
				Optional:            true,
			},
			"expiration": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Lifetime in seconds. Defaults to `%d`. `0` means no expiry (Keycloak's "+
					"own meaning); the token is still deleted when the resource closes.", defaultIATExpiration),
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"registration_count": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many registrations the token allows. Defaults to `%d`.", defaultIATCount),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"delete_on_close": schema.BoolAttribute{
				MarkdownDescription: "Delete the token from Keycloak when Terraform closes the ephemeral resource (after the " +
					"resources that use it are done). Defaults to `true`.",
				Optional: true,
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "Keycloak's id of the token (not a secret; it names the token in the admin console).",
				Computed:            true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The Initial Access Token. Pass it to `initial_access_token_wo`.",
				Computed:            true,
				Sensitive:           true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token expires (RFC 3339), or empty when it does not.",
				Computed:            true,
			},
		},
	}
}

func (e *keycloakIATEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// keycloakAdminFor returns the configured admin access or adds a diagnostic.
func keycloakAdminFor(data *providerData, what string, diags *diag.Diagnostics) *keycloakAccess {
	switch {
	case data == nil:
		diags.AddError("Provider not configured", "The mcp provider was not configured before "+what+" was opened. This is a bug in the provider; please report it.")
	case len(data.UnknownSettings) > 0:
		diags.AddError("Provider configuration not known yet",
			fmt.Sprintf("The provider's %s depend(s) on values known only after apply; %s needs them to call Keycloak. "+
				"Set them from values known at plan time (variables, files, environment variables).", strings.Join(data.UnknownSettings, ", "), what))
	case data.Keycloak == nil:
		diags.AddError("Keycloak admin access not configured",
			what+" calls Keycloak's admin REST API. Add a keycloak block to the provider (url, realm, and username and "+
				"password or client_id and client_secret), or set "+EnvKeycloakURL+" and the other MCP_KEYCLOAK_* variables.")
	default:
		return data.Keycloak
	}
	return nil
}

func (e *keycloakIATEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m keycloakIATModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	access := keycloakAdminFor(e.data, "mcp_keycloak_initial_access_token", &resp.Diagnostics)
	if access == nil {
		return
	}
	realm := keycloakRealm(m.Realm, access)
	if realm == "" {
		resp.Diagnostics.AddAttributeError(path.Root("realm"), "Realm missing",
			"Name the realm the token is for: set realm here, or keycloak.realm in the provider ("+EnvKeycloakRealm+").")
		return
	}
	expiration := int64(defaultIATExpiration)
	if !m.Expiration.IsNull() {
		expiration = m.Expiration.ValueInt64()
	}
	count := int64(defaultIATCount)
	if !m.Count.IsNull() {
		count = m.Count.ValueInt64()
	}
	ctx = withSecretMasking(ctx, e.data.secrets()...)
	iat, err := access.Admin.CreateInitialAccessToken(ctx, realm, time.Duration(expiration)*time.Second, int(count))
	if err != nil {
		summary, detail := keycloakErrorText(err, realm)
		resp.Diagnostics.AddError(summary, detail)
		return
	}
	m.ID = types.StringValue(iat.ID)
	m.Token = types.StringValue(iat.Token)
	m.ExpiresAt = types.StringValue("")
	if at := iat.ExpiresAt(); !at.IsZero() {
		m.ExpiresAt = types.StringValue(at.Format(time.RFC3339))
	}
	if m.DeleteOnClose.IsNull() || m.DeleteOnClose.ValueBool() {
		raw, _ := json.Marshal(iatPrivate{Realm: realm, ID: iat.ID})
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, iatPrivateKey, raw)...)
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

func (e *keycloakIATEphemeral) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, iatPrivateKey)
	resp.Diagnostics.Append(diags...)
	if len(raw) == 0 || e.data == nil || e.data.Keycloak == nil {
		return
	}
	var p iatPrivate
	if err := json.Unmarshal(raw, &p); err != nil || p.ID == "" {
		return
	}
	ctx = withSecretMasking(ctx, e.data.secrets()...)
	if err := e.data.Keycloak.Admin.DeleteInitialAccessToken(ctx, p.Realm, p.ID); err != nil {
		summary, detail := keycloakErrorText(err, p.Realm)
		resp.Diagnostics.AddWarning("Initial Access Token not deleted: "+summary,
			detail+" The token stays valid until it expires or is used up; delete it in the admin console (Clients, "+
				"Initial access token) if needed.")
	}
}
