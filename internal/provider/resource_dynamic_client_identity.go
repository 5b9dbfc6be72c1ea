package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = (*dynamicClientResource)(nil)

// dynamicClientIdentity is mcp_dynamic_client's resource identity (Terraform
// and OpenTofu 1.12): what names a registered client on its server. Never
// the registration access token: import reads that from the provider.
type dynamicClientIdentity struct {
	RegistrationClientURI types.String `tfsdk:"registration_client_uri"`
	ClientID              types.String `tfsdk:"client_id"`
}

func (r *dynamicClientResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"registration_client_uri": identityschema.StringAttribute{
				Description:       "The client's registration client URI (RFC 7592), where it is read, updated and deleted.",
				RequiredForImport: true,
			},
			"client_id": identityschema.StringAttribute{
				Description: "The client's client_id. When given in an import block, the import fails unless the client " +
					"at registration_client_uri has this client_id.",
				OptionalForImport: true,
			},
		},
	}
}

// setClientIdentity records state's identity in out. When current holds a
// client_id (an import block named one), the client read must have it.
func setClientIdentity(ctx context.Context, current, out *tfsdk.ResourceIdentity, state *dynamicClientModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if out == nil {
		return diags
	}
	if current != nil && !current.Raw.IsNull() {
		var cur dynamicClientIdentity
		diags.Append(current.Get(ctx, &cur)...)
		if want := cur.ClientID.ValueString(); want != "" && !state.ClientID.IsNull() && want != state.ClientID.ValueString() {
			diags.AddError("Imported client has another client_id",
				fmt.Sprintf("The identity names client_id %q, but the client at %s is %q. Check the import block's identity.",
					want, state.RegistrationClientURI.ValueString(), state.ClientID.ValueString()))
			return diags
		}
	}
	diags.Append(out.Set(ctx, dynamicClientIdentity{
		RegistrationClientURI: state.RegistrationClientURI,
		ClientID:              state.ClientID,
	})...)
	return diags
}

// importIDFromIdentity returns the registration client URI of an import by identity.
func importIDFromIdentity(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) string {
	if req.ID != "" || req.Identity == nil {
		return req.ID
	}
	var id dynamicClientIdentity
	diags.Append(req.Identity.Get(ctx, &id)...)
	return id.RegistrationClientURI.ValueString()
}

// fillMissingIdentity gives a resource that has no identity yet (state
// written by a provider version without identity, a read that kept the prior
// state, or a CLI before 1.12 that keeps no identity) its identity from the
// new state, or from prior when the read removed the resource: the framework
// wants an identity after every successful read, even a removal.
func fillMissingIdentity(ctx context.Context, st *tfsdk.State, prior *dynamicClientModel, out *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if out == nil || !out.Raw.IsFullyNull() || diags.HasError() {
		return
	}
	m := prior
	if st != nil && !st.Raw.IsNull() {
		var current dynamicClientModel
		if d := st.Get(ctx, &current); d.HasError() {
			return
		}
		m = &current
	}
	if m == nil || (m.RegistrationClientURI.IsNull() && m.ClientID.IsNull()) {
		return
	}
	diags.Append(setClientIdentity(ctx, nil, out, m)...)
}
