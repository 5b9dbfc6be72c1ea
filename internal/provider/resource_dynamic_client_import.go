package provider

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// privateImported marks, in private state, a client that entered state by
// import: its metadata attributes hold what the server stored, not what a
// configuration asked for, so the plan compares the configuration with the
// server's value the way a read compares it after a create (see
// convergeImportedPlan).
const privateImported = "imported"

// privateEndpointDerived marks a registration endpoint that import derived
// from the registration client URI: a configuration naming another one
// (another spelling of the same URL, say) records it instead of planning a
// new registration.
const privateEndpointDerived = "endpoint_derived"

// importIDSeparator separates the registration client URI from an optional
// registration endpoint in an import id.
const importIDSeparator = ","

const importIDHelp = "Import an mcp_dynamic_client by its registration client URI (RFC 7592), for example " +
	"https://sso.example.com/realms/mcp/clients-registrations/openid-connect/<client_id>. When that URI is not the " +
	"registration endpoint followed by /<client_id>, add the endpoint after a comma: " +
	"<registration_client_uri>,<registration_endpoint>."

// parseImportID splits an import id into the registration client URI and
// the registration endpoint ("" when the id does not name one). The
// separator is the first comma followed by an http(s) URL, so commas inside
// the client URI's path stay part of it.
func parseImportID(id string) (clientURI, endpoint string, err error) {
	clientURI = strings.TrimSpace(id)
	for i := 0; i < len(clientURI); i++ {
		j := strings.Index(clientURI[i:], importIDSeparator)
		if j < 0 {
			break
		}
		i += j
		rest := strings.TrimSpace(clientURI[i+1:])
		if strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://") {
			clientURI, endpoint = strings.TrimSpace(clientURI[:i]), rest
			break
		}
	}
	if err := oauth.ValidateURLShape(clientURI); err != nil {
		return "", "", err
	}
	if endpoint != "" {
		if err := oauth.ValidateURLShape(endpoint); err != nil {
			return "", "", err
		}
	}
	return clientURI, endpoint, nil
}

// derivedRegistrationEndpoint returns the registration endpoint when the
// registration client URI is that endpoint followed by "/" and the client
// id, and "" otherwise. RFC 7592 gives servers no rule for client URIs, but
// Keycloak (.../clients-registrations/openid-connect/{client_id}), Ory Hydra
// (/oauth2/register/{client_id}) and node-oidc-provider (/reg/{client_id})
// all build them so; anything else is not guessed.
func derivedRegistrationEndpoint(clientURI, clientID string) string {
	if clientID == "" || strings.ContainsAny(clientURI, "?#") {
		return ""
	}
	u, err := url.Parse(clientURI)
	if err != nil || u.Host == "" || u.User != nil {
		return ""
	}
	i := strings.LastIndex(clientURI, "/")
	if i < len(u.Scheme)+len("://")+len(u.Host) {
		return "" // the id is not a path segment of its own
	}
	if last, err := url.PathUnescape(clientURI[i+1:]); err != nil || last != clientID {
		return ""
	}
	return clientURI[:i]
}

// ImportState imports by registration client URI, optionally followed by
// the registration endpoint. The registration access token comes from the
// provider configuration, so no secret sits in the id.
func (r *dynamicClientResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.notConfigured(&resp.Diagnostics) {
		return
	}
	clientURI, endpoint, err := parseImportID(importIDFromIdentity(ctx, req, &resp.Diagnostics))
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", importIDHelp+" "+err.Error())
		return
	}
	if r.data.RegistrationAccessToken == "" {
		resp.Diagnostics.AddError("Registration access token needed for import",
			"Set the provider's registration_access_token (or MCP_REGISTRATION_ACCESS_TOKEN) to the client's registration "+
				"access token. It is read from there so that no secret sits in the import id.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("registration_client_uri"), clientURI)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("registration_access_token"), r.data.RegistrationAccessToken)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("on_unauthorized"), onUnauthorizedRemove)...)
	if endpoint != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("registration_endpoint"), endpoint)...)
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, []byte(`true`))...)
}

// fillImportedEndpoint records the registration endpoint of an imported
// client when the import id did not name one and the client URI shows it.
// It reports whether it derived one.
func fillImportedEndpoint(ctx context.Context, state *dynamicClientModel) bool {
	if isKnown(state.RegistrationEndpoint) && state.RegistrationEndpoint.ValueString() != "" {
		return false
	}
	ep := derivedRegistrationEndpoint(state.RegistrationClientURI.ValueString(), state.ClientID.ValueString())
	if ep == "" {
		return false
	}
	tflog.Debug(ctx, "Registration endpoint derived from the registration client URI", map[string]any{"registration_endpoint": ep})
	state.RegistrationEndpoint = types.StringValue(ep)
	return true
}

// endpointOnlyRecorded reports whether the registration endpoint in state
// was derived at import and not yet confirmed by a configuration: setting
// it then records it, it does not register a new client.
func endpointOnlyRecorded(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
},
) bool {
	if private == nil {
		return false
	}
	v, _ := private.GetKey(ctx, privateEndpointDerived)
	return len(v) > 0
}

// importedEquivalent reports whether the server's stored value of an
// imported client counts as honouring the configured one: the comparison a
// read makes after a create (equal, equal as a token set, or a superset of
// grant or response types the server added), plus the one rewrite a create
// cannot show here because nothing was asked: Keycloak before 26.6 stores
// client_secret_basic when client_secret_post is asked (both present the
// same client secret).
func importedEquivalent(name string, config, server json.RawMessage) bool {
	if server == nil || config == nil {
		return false // a missing value is never planned as the prior one
	}
	if oauth.SatisfiesMetadataValue(name, config, server) {
		return true
	}
	if name == "token_endpoint_auth_method" {
		var c, s string
		if json.Unmarshal(config, &c) == nil && json.Unmarshal(server, &s) == nil {
			return c == "client_secret_post" && s == "client_secret_basic"
		}
	}
	return false
}

// convergeImportedPlan keeps, for a client that entered state by import,
// the server's stored value of each metadata argument the configuration sets
// to a value that server value honours. After a create, state holds what was
// asked and a read keeps it while the server's value honours it; after an
// import nothing was asked, so the same comparison is made here against the
// configuration. Terraform accepts a planned value equal to the prior one
// for a set argument (the provider says they mean the same). It reports
// whether the plan changed.
func convergeImportedPlan(ctx context.Context, plan, config, state *dynamicClientModel) bool {
	configMD, diags := config.toMetadata(ctx)
	if diags.HasError() {
		return false
	}
	stateMD, diags := state.toMetadata(ctx)
	if diags.HasError() {
		return false
	}
	configFields, _ := configMD.Fields()
	stateFields, _ := stateMD.Fields()
	changed := false
	for _, at := range metadataAttrs {
		if !isKnown(at.get(config)) || !isKnown(at.get(state)) || fieldEqual(plan, state, at) {
			continue
		}
		if importedEquivalent(at.name, configFields[at.name], stateFields[at.name]) {
			tflog.Debug(ctx, "Imported client: the server's value honours the configuration", map[string]any{
				"member": at.name, "configured": string(configFields[at.name]), "registered": string(stateFields[at.name]),
			})
			at.copy(plan, state)
			changed = true
		}
	}
	return changed
}
