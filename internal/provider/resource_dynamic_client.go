package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

var (
	_ resource.Resource                = (*dynamicClientResource)(nil)
	_ resource.ResourceWithConfigure   = (*dynamicClientResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*dynamicClientResource)(nil)
	_ resource.ResourceWithImportState = (*dynamicClientResource)(nil)
)

// privateVerified marks, in private state, that the registration client URI
// has answered a read: from then on a 404 means the client is gone rather
// than that the server never offered management.
const privateVerified = "management_verified"

// privateTokenMaybeRotated marks, in private state, that a request got no
// usable answer although the server may have acted on it: an update (whose
// answer carries the rotated registration access token, and the read that
// followed failed too) or a read (RFC 7592 lets a read rotate the token).
// The one in state may be dead although the client exists, so a 401 then
// never removes the client. The value is the operation, as JSON ("update"
// or "read"; true, written by earlier versions, means "update").
const privateTokenMaybeRotated = "token_possibly_rotated"

func markTokenMaybeRotated(op string) []byte { return []byte(`"` + op + `"`) }

// lostAnswerOp reads the operation whose answer was lost from the marker.
func lostAnswerOp(raw []byte) string {
	if string(raw) == `"read"` {
		return oauth.OpRead
	}
	return oauth.OpUpdate
}

// tokenRotatedAdvice says what to do when the registration access token in
// state may have been rotated away by an update whose answer was lost.
func tokenRotatedAdvice(clientID, clientURI string) string {
	return fmt.Sprintf("To manage client %q again, obtain its current registration access token from the server (its "+
		"administrator or admin console), set it as the provider's registration_access_token (or "+
		"MCP_REGISTRATION_ACCESS_TOKEN), remove the client from state (terraform state rm <address>) and import it "+
		"again with terraform import <address> %s. Otherwise delete client %q on the server by hand and remove it "+
		"from state.", clientID, clientURI, clientID) + keycloakTokenHint(clientURI)
}

func lostOpPhrase(marker []byte) string {
	if lostAnswerOp(marker) == oauth.OpRead {
		return "a read"
	}
	return "an update"
}

// NewDynamicClientResource returns the mcp_dynamic_client resource.
func NewDynamicClientResource() resource.Resource { return &dynamicClientResource{} }

type dynamicClientResource struct {
	data *providerData
	now  func() time.Time
}

func (r *dynamicClientResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dynamic_client"
}

func (r *dynamicClientResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *dynamicClientResource) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// maskCtx masks every secret value known for this operation in tflog output.
func (r *dynamicClientResource) maskCtx(ctx context.Context, extra ...string) context.Context {
	if !LogsWanted() {
		return ctx
	}
	return withSecretMasking(ctx, append(r.data.secrets(), extra...)...)
}

func modelSecrets(models ...*dynamicClientModel) []string {
	var out []string
	for _, m := range models {
		if m == nil {
			continue
		}
		out = append(out, m.ClientSecret.ValueString(), m.RegistrationAccessToken.ValueString(), m.SoftwareStatement.ValueString())
	}
	return out
}

func (r *dynamicClientResource) notConfigured(diags *diag.Diagnostics) bool {
	if r.data == nil || r.data.Client == nil {
		diags.AddError("Provider not configured", "The mcp provider was not configured before the resource was used. This is a bug in the provider or in Terraform.")
		return true
	}
	return false
}

func (r *dynamicClientResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.notConfigured(&resp.Diagnostics) {
		return
	}
	var plan, config dynamicClientModel
	resp.Diagnostics.Append(readClientModel(ctx, req.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(readClientModel(ctx, req.Config.Raw, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Write-only values exist only in the configuration.
	iat := config.InitialAccessTokenWO.ValueString()
	if iat == "" {
		iat = r.data.InitialAccessToken
	}
	ctx = r.maskCtx(ctx, append(modelSecrets(&plan), iat)...)

	md, diags := plan.toMetadata(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	endpoint := plan.RegistrationEndpoint.ValueString()
	tflog.Info(ctx, "Registering an OAuth client", map[string]any{"registration_endpoint": endpoint, "with_initial_access_token": iat != ""})
	sent := r.clock()
	ci, err := r.data.Client.RegisterClient(ctx, endpoint, md, iat)
	if regErr := (*oauth.RegistrationError)(nil); errors.As(err, &regErr) && regErr.MayHaveBeenApplied() {
		addLostRegistration(&resp.Diagnostics, regErr, md, endpoint, sent)
		return
	}
	if err != nil {
		addRegistrationError(&resp.Diagnostics, err, path.Root("registration_endpoint"), "")
		return
	}
	ctx = r.maskCtx(ctx, iat, ci.ClientSecret, ci.RegistrationAccessToken)

	// Save state before anything else can fail: the client exists now.
	state := plan
	state.InitialAccessTokenWO = types.StringNull()
	state.applyClientInformation(ci, nil)
	state.fillUnknownMetadata(ctx, ci.Metadata, &resp.Diagnostics)
	if state.ExtraMetadata.IsUnknown() {
		state.ExtraMetadata = types.StringNull()
	}
	resp.Diagnostics.Append(setClientState(ctx, &resp.State, &state)...)
	resp.Diagnostics.Append(setClientIdentity(ctx, nil, resp.Identity, &state)...)
	if ci.ManagementAvailable() {
		// The server just named the client URI: a later 404 there means the
		// client is gone, not that management is missing.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateVerified, []byte(`true`))...)
	}
	tflog.Info(ctx, "Registered an OAuth client", map[string]any{"client_id": ci.ClientID, "management": state.ManagementSupported.ValueBool()})
	addMissingSecretWarning(&resp.Diagnostics, &state)

	addRewriteWarnings(ctx, &resp.Diagnostics, &plan, ci.Metadata)
	if !state.ManagementSupported.ValueBool() {
		resp.Diagnostics.AddWarning("Client registered without RFC 7592 management",
			fmt.Sprintf("The server answered without a registration_client_uri or registration_access_token, so client %q "+
				"cannot be read, updated or deleted through the protocol. Changes will be planned as replacements, and "+
				"destroy will only forget the client: remove it on the server by hand then.", ci.ClientID))
	}
	if ci.SecretExpired(r.clock().Unix()) {
		resp.Diagnostics.AddWarning("Client secret already expired",
			fmt.Sprintf("The server issued client %q a secret that expires at %s, which has passed. The next plan will "+
				"replace the client.", ci.ClientID, time.Unix(ci.ClientSecretExpiresAt, 0).UTC().Format(time.RFC3339)))
	}
}

func (r *dynamicClientResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.notConfigured(&resp.Diagnostics) {
		return
	}
	var prior dynamicClientModel
	resp.Diagnostics.Append(readClientModel(ctx, req.State.Raw, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	defer fillMissingIdentity(ctx, &resp.State, &prior, resp.Identity, &resp.Diagnostics)
	ctx = r.maskCtx(ctx, modelSecrets(&prior)...)
	importing := prior.ClientID.IsNull()
	uri, token := prior.RegistrationClientURI.ValueString(), prior.RegistrationAccessToken.ValueString()
	if uri == "" || token == "" || (!importing && !prior.ManagementSupported.IsNull() && !prior.ManagementSupported.ValueBool()) {
		// Nothing to ask: keep what the registration answered.
		return
	}

	ci, err := r.data.Client.ReadClient(ctx, uri, token)
	if err != nil {
		var regErr *oauth.RegistrationError
		if importing || !errors.As(err, &regErr) {
			addRegistrationError(&resp.Diagnostics, err, path.Root("registration_client_uri"), prior.ClientID.ValueString())
			return
		}
		verified, _ := req.Private.GetKey(ctx, privateVerified)
		rotated, _ := req.Private.GetKey(ctx, privateTokenMaybeRotated)
		if regErr.MayHaveBeenApplied() {
			r.readAnswerLost(ctx, regErr, &prior, resp)
			return
		}
		if regErr.Kind() == oauth.KindUnauthorized && len(rotated) > 0 && r.recoverRead(ctx, &prior, resp) {
			return
		}
		r.readFailed(ctx, regErr, &prior, len(verified) > 0, rotated, resp)
		return
	}
	ctx = r.maskCtx(ctx, append(modelSecrets(&prior), ci.ClientSecret, ci.RegistrationAccessToken)...)

	state := mergeRead(ctx, &prior, ci.Metadata, &resp.Diagnostics)
	state.applyClientInformation(ci, &prior)
	state.ManagementSupported = types.BoolValue(true)
	if importing && state.OnUnauthorized.IsNull() {
		state.OnUnauthorized = types.StringValue(onUnauthorizedRemove)
	}
	if (importing || state.RegistrationEndpoint.IsNull()) && fillImportedEndpoint(ctx, &state) {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateEndpointDerived, []byte(`true`))...)
	}
	resp.Diagnostics.Append(setClientState(ctx, &resp.State, &state)...)
	resp.Diagnostics.Append(setClientIdentity(ctx, req.Identity, resp.Identity, &state)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateVerified, []byte(`true`))...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTokenMaybeRotated, nil)...)
}

// readAnswerLost handles a read that reached the server but whose answer
// was lost (or could not be used): the client stays in state unchanged, and
// since RFC 7592 lets a read's answer carry a new registration access token,
// the token in state is marked as possibly rotated.
func (r *dynamicClientResource) readAnswerLost(ctx context.Context, e *oauth.RegistrationError, prior *dynamicClientModel, resp *resource.ReadResponse) {
	clientID := prior.ClientID.ValueString()
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTokenMaybeRotated, markTokenMaybeRotated(oauth.OpRead))...)
	resp.Diagnostics.AddAttributeWarning(path.Root("registration_client_uri"), registrationErrorTitle(e)+"; state kept",
		fmt.Sprintf("%s\n\nThe read of client %q reached the server but no usable answer came back, so state was not "+
			"refreshed: the client is kept as it was and the next plan or refresh reads it again. RFC 7592 lets a server "+
			"issue a new registration access token with a read's answer; a server that does has now replaced the token "+
			"in state (a lost read answer is a lost token). If the server refuses the token from now on (401), the client "+
			"is kept in state whatever on_unauthorized says, because the refusal then says nothing about whether it was "+
			"deleted. %s", e.ServerSaid(), clientID, tokenRotatedAdvice(clientID, prior.RegistrationClientURI.ValueString())))
}

// readFailed turns a failed read into the documented behaviour.
func (r *dynamicClientResource) readFailed(ctx context.Context, e *oauth.RegistrationError, prior *dynamicClientModel, verified bool, lostMarker []byte, resp *resource.ReadResponse) {
	clientID := prior.ClientID.ValueString()
	if e.Kind() == oauth.KindUnauthorized && len(lostMarker) > 0 {
		// The token is probably dead because a lost answer rotated it, not
		// because the client was deleted: removing it would orphan it.
		resp.Diagnostics.AddWarning(fmt.Sprintf("Registration access token refused; it was possibly rotated by %s whose answer was lost",
			lostOpPhrase(lostMarker)),
			fmt.Sprintf("%s\n\nAn earlier %s of client %q got no usable answer, so the server may have acted on it and "+
				"rotated the registration access token: the token in state is then dead although the client still exists. "+
				"The client is kept in state unchanged whatever on_unauthorized says, and it cannot be read, updated or "+
				"deleted through the protocol until the token is replaced. %s", e.ServerSaid(), lostAnswerOp(lostMarker), clientID,
				tokenRotatedAdvice(clientID, prior.RegistrationClientURI.ValueString())))
		return
	}
	switch e.Kind() {
	case oauth.KindNotFound:
		if verified {
			resp.Diagnostics.AddWarning("Client no longer exists on the server",
				fmt.Sprintf("%s\n\nClient %q was deleted outside Terraform. It has been removed from state and will be "+
					"registered again on the next apply.", e.ServerSaid(), clientID))
			resp.State.RemoveResource(ctx)
			return
		}
		fallthrough
	case oauth.KindManagementUnsupported:
		prior.ManagementSupported = types.BoolValue(false)
		resp.Diagnostics.Append(resp.State.Set(ctx, prior)...)
		resp.Diagnostics.AddWarning("Server does not manage clients through RFC 7592",
			fmt.Sprintf("%s\n\nThe registration client URI of client %q does not answer reads, so this server does not "+
				"seem to implement RFC 7592 management (if the client was deleted instead, a later apply can be "+
				"replaced with -replace). State is kept as registered; changes will be planned as replacements and "+
				"destroy will only forget the client.", e.ServerSaid(), clientID))
	case oauth.KindUnauthorized:
		detail := fmt.Sprintf("%s\n\nThe registration access token of client %q was refused. A 401 cannot tell a client "+
			"deleted on the server (its token dies with it) from a token that is no longer valid (rotated by another "+
			"tool, revoked or expired).", e.ServerSaid(), clientID)
		switch prior.OnUnauthorized.ValueString() {
		case onUnauthorizedKeep:
			resp.Diagnostics.AddWarning("Registration access token refused; state kept",
				detail+" on_unauthorized = \"keep\": state is kept unchanged. If the client is gone, remove it from "+
					"state (terraform state rm) or set on_unauthorized = \"remove\"; if the token is stale, import the client "+
					"again with a fresh token (provider registration_access_token).")
		case onUnauthorizedError:
			resp.Diagnostics.AddError("Registration access token refused",
				detail+" on_unauthorized = \"error\": fix the token by importing the client again with a fresh one "+
					"(provider registration_access_token), or remove it from state (terraform state rm) if it is gone.")
		default:
			resp.Diagnostics.AddWarning("Registration access token refused; client removed from state",
				detail+" on_unauthorized = \"remove\" (the default): the client was removed from state and will be "+
					"registered again on the next apply. If it still exists on the server, it is now unmanaged: delete it "+
					"there by hand, or import it with a fresh token instead of applying. Set on_unauthorized = \"keep\" or "+
					"\"error\" to stop this.")
			resp.State.RemoveResource(ctx)
		}
	default:
		addRegistrationError(&resp.Diagnostics, e, path.Root("registration_client_uri"), clientID)
	}
}

func (r *dynamicClientResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.notConfigured(&resp.Diagnostics) {
		return
	}
	var plan, prior dynamicClientModel
	resp.Diagnostics.Append(readClientModel(ctx, req.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(readClientModel(ctx, req.State.Raw, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	defer fillMissingIdentity(ctx, &resp.State, &prior, resp.Identity, &resp.Diagnostics)
	ctx = r.maskCtx(ctx, modelSecrets(&prior, &plan)...)
	plan.InitialAccessTokenWO = types.StringNull()
	if !plan.RegistrationEndpoint.Equal(prior.RegistrationEndpoint) {
		// The configuration now names the endpoint: changing it registers anew.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateEndpointDerived, nil)...)
	}

	changed := false
	for _, at := range serverRelevantAttrs {
		if !fieldEqual(&plan, &prior, at) {
			changed = true
			break
		}
	}
	if !changed {
		// Only local arguments changed (on_unauthorized, or the endpoint of an
		// imported client): nothing to send.
		state := plan
		keepIssued(&state, &prior)
		resp.Diagnostics.Append(setClientState(ctx, &resp.State, &state)...)
		return
	}

	uri, token := prior.RegistrationClientURI.ValueString(), prior.RegistrationAccessToken.ValueString()
	if uri == "" || token == "" || !prior.ManagementSupported.ValueBool() {
		resp.Diagnostics.AddError("Client cannot be updated in place",
			fmt.Sprintf("The server does not manage client %q through RFC 7592, so its metadata cannot change in place. "+
				"Run terraform apply -replace=<this resource>, or change keepers, to register a new client.", prior.ClientID.ValueString()))
		return
	}

	md, diags := plan.toMetadata(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// RFC 7592 section 2.2: send every field the server returned, not only the
	// ones managed here, or the server resets them.
	md.Extra = mergeExtra(baselineFields(prior.RegisteredMetadata), md.Extra)

	ci, err := r.data.Client.UpdateClient(ctx, uri, token, oauth.ClientUpdate{ClientID: prior.ClientID.ValueString(), Metadata: md})
	if err != nil {
		var regErr *oauth.RegistrationError
		if errors.As(err, &regErr) && (regErr.Kind() == oauth.KindManagementUnsupported || regErr.Kind() == oauth.KindNotFound) {
			// Remember, so the next plan replaces the client instead.
			prior.ManagementSupported = types.BoolValue(false)
			resp.Diagnostics.Append(setClientState(ctx, &resp.State, &prior)...)
			resp.Diagnostics.AddError("Client cannot be updated in place",
				fmt.Sprintf("%s\n\nThe server does not accept updates for client %q. The next plan will replace the client "+
					"with a new registration; if the client was deleted on the server, that also re-creates it.",
					regErr.ServerSaid(), prior.ClientID.ValueString()))
			return
		}
		if errors.As(err, &regErr) && regErr.MayHaveBeenApplied() {
			r.updateOutcomeUnknown(ctx, regErr, &prior, resp)
			return
		}
		// The server answered with an error: it applied and rotated nothing.
		resp.Diagnostics.Append(setClientState(ctx, &resp.State, &prior)...)
		addRegistrationError(&resp.Diagnostics, err, path.Root("registration_client_uri"), prior.ClientID.ValueString())
		return
	}
	ctx = r.maskCtx(ctx, append(modelSecrets(&prior), ci.ClientSecret, ci.RegistrationAccessToken)...)

	// Store the rotated registration access token before anything else.
	state := plan
	keepIssued(&state, &prior)
	state.applyClientInformation(ci, &prior)
	state.fillUnknownMetadata(ctx, ci.Metadata, &resp.Diagnostics)
	if state.ExtraMetadata.IsUnknown() {
		state.ExtraMetadata = types.StringNull()
	}
	resp.Diagnostics.Append(setClientState(ctx, &resp.State, &state)...)
	resp.Diagnostics.Append(setClientIdentity(ctx, req.Identity, resp.Identity, &state)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateVerified, []byte(`true`))...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTokenMaybeRotated, nil)...)
	addRewriteWarnings(ctx, &resp.Diagnostics, &plan, ci.Metadata)
	addMissingSecretWarning(&resp.Diagnostics, &state)
}

// updateOutcomeUnknown handles an update that got no usable answer although
// the server may have applied it (and rotated the registration access token
// with it). UpdateClient has already read the client once with the old
// token: when that worked, state takes what the server holds; when it did
// not, the client stays in state and is marked so that a 401 never drops it.
func (r *dynamicClientResource) updateOutcomeUnknown(ctx context.Context, e *oauth.RegistrationError, prior *dynamicClientModel, resp *resource.UpdateResponse) {
	clientID, uri := prior.ClientID.ValueString(), prior.RegistrationClientURI.ValueString()
	detail := fmt.Sprintf("%s\n\nNo usable answer arrived for the update of client %q, so the update may have been "+
		"applied, and the server may have rotated the registration access token with it (the answer carrying the new "+
		"one is lost).", e.ServerSaid(), clientID)
	if ci := e.Resynced; ci != nil {
		ctx = r.maskCtx(ctx, ci.ClientSecret, ci.RegistrationAccessToken)
		state := mergeRead(ctx, prior, ci.Metadata, &resp.Diagnostics)
		state.applyClientInformation(ci, prior)
		state.ManagementSupported = types.BoolValue(true)
		resp.Diagnostics.Append(setClientState(ctx, &resp.State, &state)...)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateVerified, []byte(`true`))...)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTokenMaybeRotated, nil)...)
		resp.Diagnostics.AddAttributeError(path.Root("registration_client_uri"), "Update may have been applied; client read again",
			detail+" The client was read again with the old token, which the server still accepts, and state now "+
				"holds what the server has, including its current registration access token. Run terraform plan to see "+
				"whether the change still needs to be applied.")
		return
	}
	if r.recoverUpdate(ctx, e, prior, resp) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, prior)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTokenMaybeRotated, markTokenMaybeRotated(oauth.OpUpdate))...)
	readFailure := "it failed"
	if e.ResyncErr != nil {
		readFailure = e.ResyncErr.Error()
	}
	resp.Diagnostics.AddAttributeError(path.Root("registration_client_uri"), "Update may have been applied; registration access token possibly rotated",
		fmt.Sprintf("%s Reading the client again with the old token did not work either (%s). The client is kept in "+
			"state with the old token; if the server refuses that token (401), refresh keeps the client with a warning "+
			"instead of removing it, whatever on_unauthorized says. %s", detail, readFailure, tokenRotatedAdvice(clientID, uri)))
}

// addMissingSecretWarning warns when the registered method authenticates
// with a client secret but neither the server's answers nor state hold one.
func addMissingSecretWarning(diags *diag.Diagnostics, state *dynamicClientModel) {
	method := state.TokenEndpointAuthMethod.ValueString()
	if m := baselineFields(state.RegisteredMetadata)["token_endpoint_auth_method"]; m != nil {
		var s string
		if json.Unmarshal(m, &s) == nil && s != "" {
			method = s
		}
	}
	if !usesClientSecret(method) || state.ClientSecret.ValueString() != "" {
		return
	}
	diags.AddAttributeWarning(path.Root("client_secret"), "The server did not return a client secret",
		fmt.Sprintf("Client %q is registered with token_endpoint_auth_method %q, which needs a client secret, but no "+
			"answer of the server carried one, so client_secret is empty. Some servers return the secret only when the "+
			"client is registered (Ory Hydra): to get one, replace the client by changing keepers (or terraform apply "+
			"-replace=<address>).", state.ClientID.ValueString(), method))
}

// keepIssued copies what the server issued from prior into a planned model
// whose computed values are unknown. It reports whether it copied anything.
func keepIssued(state, prior *dynamicClientModel) bool {
	copied := false
	for _, attrs := range [][]clientAttr{issuedAttrs, metadataAttrs, {extraMetadataAttr}} {
		for _, at := range attrs {
			if at.get(state).IsUnknown() {
				at.copy(state, prior)
				copied = true
			}
		}
	}
	return copied
}

func (r *dynamicClientResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.notConfigured(&resp.Diagnostics) {
		return
	}
	var prior dynamicClientModel
	resp.Diagnostics.Append(readClientModel(ctx, req.State.Raw, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.maskCtx(ctx, modelSecrets(&prior)...)
	clientID := prior.ClientID.ValueString()
	uri, token := prior.RegistrationClientURI.ValueString(), prior.RegistrationAccessToken.ValueString()
	removeByHand := func(why string) {
		resp.Diagnostics.AddWarning("Client left on the server: remove it by hand",
			fmt.Sprintf("%sClient %q was removed from state but still exists on the server at %s: delete it there by hand "+
				"(for example in the server's admin console).", why, clientID, prior.RegistrationEndpoint.ValueString()))
	}
	if uri == "" || token == "" || (!prior.ManagementSupported.IsNull() && !prior.ManagementSupported.ValueBool()) {
		removeByHand("The server does not offer RFC 7592 management for this client, so it cannot be deleted through the protocol. ")
		return
	}
	err := r.data.Client.DeleteClient(ctx, uri, token)
	if err == nil {
		return
	}
	var e *oauth.RegistrationError
	if !errors.As(err, &e) {
		addRegistrationError(&resp.Diagnostics, err, path.Root("registration_client_uri"), clientID)
		return
	}
	switch e.Kind() {
	case oauth.KindNotFound:
		tflog.Info(ctx, "Client already gone", map[string]any{"client_id": clientID, "status": e.Status})
	case oauth.KindManagementUnsupported:
		removeByHand(e.ServerSaid() + "\n\n")
	case oauth.KindUnauthorized:
		if rotated, _ := req.Private.GetKey(ctx, privateTokenMaybeRotated); len(rotated) > 0 {
			if r.recoverDelete(ctx, &prior, &resp.Diagnostics) {
				return
			}
			// After a lost answer a 401 says nothing about whether the client
			// is gone: keep it, whatever on_unauthorized says.
			resp.Diagnostics.AddAttributeError(path.Root("registration_access_token"),
				fmt.Sprintf("Client not deleted: its registration access token was possibly rotated by %s whose answer was lost", lostOpPhrase(rotated)),
				fmt.Sprintf("%s\n\nClient %q could not be deleted: the server refused its registration access token, which an "+
					"earlier %s whose answer was lost has probably rotated. The client most likely still exists on the server "+
					"(registration client URI %s), so it is kept in state whatever on_unauthorized says. %s",
					e.ServerSaid(), clientID, lostAnswerOp(rotated), uri, tokenRotatedAdvice(clientID, uri)))
			return
		}
		if prior.OnUnauthorized.ValueString() == onUnauthorizedKeep || prior.OnUnauthorized.ValueString() == onUnauthorizedError {
			resp.Diagnostics.AddError("Registration access token refused",
				fmt.Sprintf("%s\n\nClient %q could not be deleted: the server refused its registration access token. The client "+
					"may already be gone (its token dies with it) or the token is no longer valid. on_unauthorized = %q keeps "+
					"it in state: import it again with a fresh token, or if it is gone run terraform state rm.",
					e.ServerSaid(), clientID, prior.OnUnauthorized.ValueString()))
			return
		}
		resp.Diagnostics.AddWarning("Registration access token refused; client treated as deleted",
			fmt.Sprintf("%s\n\nA 401 usually means client %q is already gone (its token died with it), but it may also mean "+
				"the token is no longer valid. on_unauthorized = \"remove\": it was removed from state. If it still exists on "+
				"the server, delete it there by hand.", e.ServerSaid(), clientID))
	default:
		addRegistrationError(&resp.Diagnostics, err, path.Root("registration_client_uri"), clientID)
	}
}

// mergeExtra overlays the user's vendor fields on the server's registered
// metadata (without credentials and issued fields), for a full-metadata PUT.
func mergeExtra(registered, user map[string]jsonRaw) map[string]jsonRaw {
	out := map[string]jsonRaw{}
	modelled := oauth.MetadataFieldNames()
	for k, v := range registered {
		if oauth.IsClientInformationField(k) || oauth.IsSecretKey(k) || slices.Contains(modelled, k) {
			continue
		}
		out[k] = v
	}
	for k, v := range user {
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
