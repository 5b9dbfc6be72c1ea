package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

type jsonRaw = json.RawMessage

// ModifyPlan applies the rules validators cannot: the transport policy from
// the provider configuration, replacement of a client whose secret expired,
// and replacement instead of update where the server has no RFC 7592.
func (r *dynamicClientResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, config dynamicClientModel
	resp.Diagnostics.Append(readClientModel(ctx, req.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(readClientModel(ctx, req.Config.Raw, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// With provider settings unknown until apply, allow_insecure_http may
	// still turn out true; the client checks the URL again before sending.
	if r.data != nil && len(r.data.UnknownSettings) == 0 && isKnown(plan.RegistrationEndpoint) {
		if err := oauth.ValidateURL(plan.RegistrationEndpoint.ValueString(), r.data.AllowInsecureHTTP); err != nil {
			addRegistrationEndpointError(&resp.Diagnostics, err)
		}
	}
	if r.data != nil && len(r.data.UnknownSettings) == 0 {
		redirectURIRules(ctx, "redirect_uris", config.RedirectURIs, r.data.AllowInsecureHTTP, &resp.Diagnostics)
		redirectURIRules(ctx, "post_logout_redirect_uris", config.PostLogoutRedirectURIs, r.data.AllowInsecureHTTP, &resp.Diagnostics)
	}
	if isKnown(plan.TokenEndpointAuthMethod) && plan.TokenEndpointAuthMethod.ValueString() != "" &&
		!slices.Contains(knownAuthMethods, plan.TokenEndpointAuthMethod.ValueString()) {
		resp.Diagnostics.AddAttributeWarning(path.Root("token_endpoint_auth_method"), "Unregistered token endpoint auth method",
			fmt.Sprintf("%q is not one of the IANA-registered methods (%s). It is sent as given; check that the server supports it.",
				plan.TokenEndpointAuthMethod.ValueString(), strings.Join(knownAuthMethods, ", ")))
	}

	if req.State.Raw.IsNull() {
		return // create
	}
	var state dynamicClientModel
	resp.Diagnostics.Append(readClientModel(ctx, req.State.Raw, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	planChanged := dropCarriedKeySet(&plan, &config)
	if imported, _ := req.Private.GetKey(ctx, privateImported); len(imported) > 0 {
		planChanged = convergeImportedPlan(ctx, &plan, &config, &state) || planChanged
	}

	var replaceFor []path.Path
	if expired, at := secretExpired(&state, r.clock()); expired {
		resp.Diagnostics.AddWarning("Client secret expired: client will be replaced",
			fmt.Sprintf("The secret of client %q expired at %s (client_secret_expires_at). A new registration will be "+
				"created to obtain a new secret, and the old client deleted.", state.ClientID.ValueString(), at.UTC().Format(time.RFC3339)))
		replaceFor = append(replaceFor, path.Root("client_secret_expires_at"))
	}

	if !state.ManagementSupported.IsNull() && !state.ManagementSupported.ValueBool() {
		var changed []string
		for _, at := range serverRelevantAttrs {
			if changedWithoutManagement(&plan, &config, &state, at) {
				changed = append(changed, at.name)
				replaceFor = append(replaceFor, path.Root(at.name))
			}
		}
		if len(changed) > 0 {
			sort.Strings(changed)
			resp.Diagnostics.AddWarning("Change planned as a replacement",
				fmt.Sprintf("The server does not manage client %q through RFC 7592, so a change of %s needs a new "+
					"registration. The old client cannot be deleted through the protocol: remove it on the server by hand "+
					"after the apply.", state.ClientID.ValueString(), strings.Join(changed, ", ")))
		}
	}

	if len(replaceFor) == 0 {
		// The framework marks computed values unknown as soon as the
		// configuration differs from state textually, before semantic plan
		// modifiers (scope order, JSON formatting) say nothing changed. When
		// nothing the server sees changed, what it issued stays as it is.
		serverChange := false
		for _, at := range serverRelevantAttrs {
			if !fieldEqual(&plan, &state, at) {
				serverChange = true
				break
			}
		}
		// Setting the plan costs a walk over the whole schema: only when
		// something was copied (nothing is for a plan without changes).
		if !serverChange && keepIssued(&plan, &state) {
			planChanged = true
		}
		if planChanged {
			resp.Diagnostics.Append(setClientPlan(ctx, &resp.Plan, &plan)...)
		}
		return
	}
	// A replacement only happens when the plan differs from state: everything
	// the server issues becomes unknown.
	plan.ClientID = types.StringUnknown()
	plan.ClientSecret = types.StringUnknown()
	plan.ClientIDIssuedAt = types.Int64Unknown()
	plan.ClientSecretExpiresAt = types.Int64Unknown()
	plan.RegistrationAccessToken = types.StringUnknown()
	plan.RegistrationClientURI = types.StringUnknown()
	plan.RegisteredMetadata = types.StringUnknown()
	plan.RegisteredTokenEndpointAuthMethod = types.StringUnknown()
	plan.ManagementSupported = types.BoolUnknown()
	resp.Diagnostics.Append(setClientPlan(ctx, &resp.Plan, &plan)...)
	resp.RequiresReplace = append(resp.RequiresReplace, replaceFor...)
}

// changedWithoutManagement reports whether an argument changes, for a client
// that can only be replaced. A value unknown at plan time counts as a change
// when the configuration sets it (it is only known at apply) or state holds a
// value: an update planned now would turn into a replacement at apply, which
// Terraform refuses as an inconsistent final plan. A value unknown only
// because it is computed and unset, with nothing in state, stays unknown at
// apply and changes nothing.
func changedWithoutManagement(plan, config, state *dynamicClientModel, at clientAttr) bool {
	if at.get(plan).IsUnknown() {
		return at.get(config).IsUnknown() || isKnown(at.get(state))
	}
	return !fieldEqual(plan, state, at)
}

// dropCarriedKeySet keeps jwks and jwks_uri from both being sent (RFC 7591
// section 2 forbids it): when the configuration sets one and leaves the other
// out, the other's value carried over from state is planned as "" (omitted).
// It reports whether the plan changed.
func dropCarriedKeySet(plan, config *dynamicClientModel) bool {
	nonEmpty := func(v types.String) bool { return isKnown(v) && v.ValueString() != "" }
	changed := false
	if nonEmpty(config.JWKS) && config.JWKSURI.IsNull() && nonEmpty(plan.JWKSURI) {
		plan.JWKSURI = types.StringValue("")
		changed = true
	}
	if nonEmpty(config.JWKSURI) && config.JWKS.IsNull() && nonEmpty(plan.JWKS) {
		plan.JWKS = types.StringValue("")
		changed = true
	}
	return changed
}

// secretExpired reports whether the state's client secret has expired.
func secretExpired(m *dynamicClientModel, now time.Time) (bool, time.Time) {
	if !isKnown(m.ClientSecretExpiresAt) || m.ClientSecretExpiresAt.ValueInt64() <= 0 {
		return false, time.Time{}
	}
	at := time.Unix(m.ClientSecretExpiresAt.ValueInt64(), 0)
	return !now.Before(at), at
}

// addRewriteWarnings tells the user when the server registered something
// other than what was asked for a scalar, or dropped requested list values.
// Additions (Keycloak's extra grant types) and fields the server does not
// store are normal: they are only logged, at debug level.
func addRewriteWarnings(ctx context.Context, diags *diag.Diagnostics, asked *dynamicClientModel, got oauth.ClientMetadata) {
	askedMD, _ := asked.toMetadata(ctx)
	askedFields, _ := askedMD.Fields()
	gotFields, _ := got.Fields()
	var notes []string
	for _, at := range metadataAttrs {
		a, g := askedFields[at.name], gotFields[at.name]
		switch {
		case a == nil:
		case g == nil:
			tflog.Debug(ctx, "The server did not return a requested metadata member", map[string]any{"member": at.name, "asked": string(a)})
		case oauth.SatisfiesMetadataValue(at.name, a, g):
			if !oauth.EqualMetadataValue(at.name, a, g) {
				tflog.Debug(ctx, "The server registered more than requested", map[string]any{"member": at.name, "asked": string(a), "registered": string(g)})
			}
		default:
			notes = append(notes, fmt.Sprintf("%s: asked %s, registered %s", at.name, string(a), string(g)))
		}
	}
	if len(notes) > 0 {
		diags.AddWarning("The server registered different metadata",
			"The server changed what it was sent. This is not drift and will not show in plans; registered_metadata "+
				"holds what the server keeps.\n  "+strings.Join(notes, "\n  "))
	}
}
