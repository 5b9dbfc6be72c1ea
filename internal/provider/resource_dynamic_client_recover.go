package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/keycloak"
	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// tokenReissuer issues a new registration access token for a client
// through a server's admin API (Keycloak: POST
// /admin/realms/{realm}/clients/{id}/registration-access-token). found is
// false when the admin API says the client does not exist. Earlier tokens
// of the client stop working.
type tokenReissuer interface {
	ReissueRegistrationAccessToken(ctx context.Context, clientURI, clientID string) (token string, found bool, err error)
	// Secrets are the admin credentials, masked in logs.
	Secrets() []string
}

// tokenReissuerFor returns the admin access of the provider configuration
// that can issue new registration access tokens, or nil. The provider's
// keycloak block supplies one; tests replace this.
var tokenReissuerFor = keycloakReissuerFor

// errNoReissuer means no admin access is configured.
var errNoReissuer = errors.New("no admin access configured")

// reissueToken has the configured admin API issue a new registration
// access token for the client in prior.
func (r *dynamicClientResource) reissueToken(ctx context.Context, prior *dynamicClientModel) (token string, found bool, err error) {
	re := tokenReissuerFor(r.data)
	if re == nil {
		return "", false, errNoReissuer
	}
	ctx = r.maskCtx(ctx, re.Secrets()...)
	clientID, uri := prior.ClientID.ValueString(), prior.RegistrationClientURI.ValueString()
	tflog.Info(ctx, "Issuing a new registration access token through the admin API", map[string]any{"client_id": clientID})
	token, found, err = re.ReissueRegistrationAccessToken(ctx, uri, clientID)
	if err == nil && found && token == "" {
		err = errors.New("the admin API answered without a token")
	}
	return token, found, err
}

// recoveredNote is the detail of a warning after a recovery.
func recoveredNote(clientID, what string) string {
	return fmt.Sprintf("An earlier request for client %q got no usable answer and the server then refused the registration "+
		"access token in state (it was rotated with the lost answer). The provider's Keycloak admin access issued a new "+
		"registration access token, %s", clientID, what)
}

// recoverRead handles a 401 on a read after a lost answer when admin
// access is configured: with a new token the client is read and state
// refreshed; a client the admin API does not know is gone. It reports
// whether it settled the read; otherwise it adds a warning saying why it
// could not, and the caller goes on as without admin access.
func (r *dynamicClientResource) recoverRead(ctx context.Context, prior *dynamicClientModel, resp *resource.ReadResponse) bool {
	clientID, uri := prior.ClientID.ValueString(), prior.RegistrationClientURI.ValueString()
	token, found, err := r.reissueToken(ctx, prior)
	switch {
	case errors.Is(err, errNoReissuer):
		return false
	case err != nil:
		resp.Diagnostics.AddWarning("Registration access token could not be replaced through the admin API", err.Error())
		return false
	case !found:
		resp.Diagnostics.AddWarning("Client no longer exists on the server",
			fmt.Sprintf("The server refused the registration access token of client %q after an earlier answer was lost, and "+
				"the Keycloak admin API reports no such client: it was deleted (a delete whose answer was lost, or outside "+
				"Terraform). It has been removed from state.", clientID))
		resp.State.RemoveResource(ctx)
		return true
	}
	ctx = r.maskCtx(ctx, token)
	ci, err := r.data.Client.ReadClient(ctx, uri, token)
	if err != nil {
		// The new token is stored all the same: the old one is dead now.
		prior.RegistrationAccessToken = types.StringValue(token)
		resp.Diagnostics.Append(resp.State.Set(ctx, prior)...)
		resp.Diagnostics.AddWarning("Client not read with the re-issued registration access token",
			recoveredNote(clientID, "stored in state, but reading the client with it failed: "+err.Error()+". The next refresh tries again."))
		return true
	}
	r.storeRecoveredClient(ctx, prior, ci, token, &resp.State, resp.Private, &resp.Diagnostics)
	resp.Diagnostics.AddWarning("Registration access token replaced through the Keycloak admin API",
		recoveredNote(clientID, "and the client was read with it; state holds what the server has. Nothing else to do."))
	return true
}

// privateKeySetter is the part of a response's private state the recovery
// paths write (Read and Update responses both have it).
type privateKeySetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// storeRecoveredClient writes what the server holds, read with a re-issued
// registration access token, to state: the read's answer merged with prior,
// the new token kept when the answer names none, the client verified.
func (r *dynamicClientResource) storeRecoveredClient(ctx context.Context, prior *dynamicClientModel, ci *oauth.ClientInformation,
	token string, st *tfsdk.State, priv privateKeySetter, diags *diag.Diagnostics) {
	ctx = r.maskCtx(ctx, ci.ClientSecret, ci.RegistrationAccessToken)
	if ci.RegistrationAccessToken == "" {
		ci.RegistrationAccessToken = token
	}
	state := mergeRead(ctx, prior, ci.Metadata, diags)
	state.applyClientInformation(ci, prior)
	state.ManagementSupported = types.BoolValue(true)
	diags.Append(setClientState(ctx, st, &state)...)
	diags.Append(priv.SetKey(ctx, privateVerified, []byte(`true`))...)
	diags.Append(priv.SetKey(ctx, privateTokenMaybeRotated, nil)...)
}

// recoverDelete handles a 401 on a delete after a lost answer when admin
// access is configured. It reports whether the client is gone (deleted with
// a new token, or unknown to the admin API); otherwise it adds a warning
// saying why, and the caller goes on as without admin access.
func (r *dynamicClientResource) recoverDelete(ctx context.Context, prior *dynamicClientModel, diags *diag.Diagnostics) bool {
	clientID, uri := prior.ClientID.ValueString(), prior.RegistrationClientURI.ValueString()
	token, found, err := r.reissueToken(ctx, prior)
	switch {
	case errors.Is(err, errNoReissuer):
		return false
	case err != nil:
		diags.AddWarning("Registration access token could not be replaced through the admin API", err.Error())
		return false
	case !found:
		tflog.Info(ctx, "The admin API knows no such client: already deleted", map[string]any{"client_id": clientID})
		return true
	}
	ctx = r.maskCtx(ctx, token)
	if err := r.data.Client.DeleteClient(ctx, uri, token); err != nil {
		var e *oauth.RegistrationError
		if errors.As(err, &e) && e.Kind() == oauth.KindNotFound {
			return true
		}
		diags.AddWarning("Client not deleted with the re-issued registration access token", err.Error())
		return false
	}
	tflog.Info(ctx, "Deleted with a registration access token the admin API issued", map[string]any{"client_id": clientID})
	return true
}

// recoverUpdate handles an update whose answer was lost and whose read
// with the old token was refused, when admin access is configured: with a
// new token the client is read, and state takes what the server holds. It
// reports whether it did.
func (r *dynamicClientResource) recoverUpdate(ctx context.Context, e *oauth.RegistrationError, prior *dynamicClientModel, resp *resource.UpdateResponse) bool {
	var re *oauth.RegistrationError
	if !errors.As(e.ResyncErr, &re) || re.Kind() != oauth.KindUnauthorized {
		return false
	}
	clientID, uri := prior.ClientID.ValueString(), prior.RegistrationClientURI.ValueString()
	token, found, err := r.reissueToken(ctx, prior)
	if err != nil || !found {
		if err != nil && !errors.Is(err, errNoReissuer) {
			resp.Diagnostics.AddWarning("Registration access token could not be replaced through the admin API", err.Error())
		}
		return false
	}
	ctx = r.maskCtx(ctx, token)
	ci, err := r.data.Client.ReadClient(ctx, uri, token)
	if err != nil {
		resp.Diagnostics.AddWarning("Client not read with the re-issued registration access token", err.Error())
		prior.RegistrationAccessToken = types.StringValue(token)
		return false
	}
	r.storeRecoveredClient(ctx, prior, ci, token, &resp.State, resp.Private, &resp.Diagnostics)
	resp.Diagnostics.AddAttributeError(path.Root("registration_client_uri"), "Update may have been applied; token replaced and client read again",
		fmt.Sprintf("%s\n\nNo usable answer arrived for the update of client %q, and the server then refused the old "+
			"registration access token: it applied the update and rotated the token. The provider's Keycloak admin access "+
			"issued a new token and the client was read with it; state now holds what the server has. Run terraform "+
			"apply again: it plans only what is still different.", e.ServerSaid(), clientID))
	return true
}

// keycloakRealmOf returns the realm of a Keycloak registration client URI
// (.../realms/{realm}/clients-registrations/...), or "".
func keycloakRealmOf(clientURI string) string {
	u, err := url.Parse(clientURI)
	if err != nil {
		return ""
	}
	parts := strings.Split(u.Path, "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "realms" && parts[i+2] == "clients-registrations" {
			return parts[i+1]
		}
	}
	return ""
}

// keycloakTokenHint says how to get a new registration access token by hand
// on Keycloak, or "" when clientURI is not Keycloak's.
func keycloakTokenHint(clientURI string) string {
	realm := keycloakRealmOf(clientURI)
	if realm == "" {
		return ""
	}
	return fmt.Sprintf(" On Keycloak an administrator issues a new registration access token in the admin console (realm %q, "+
		"Clients, the client, tab Advanced or Credentials: \"Regenerate registration access token\") or with POST "+
		"/admin/realms/%s/clients/<internal id>/registration-access-token; with the provider's keycloak block "+
		"(admin access) set, the provider does this itself.", realm, realm)
}

// keycloakReissuerFor is the keycloak block's admin access, or nil.
func keycloakReissuerFor(d *providerData) tokenReissuer {
	if d == nil || d.Keycloak == nil || d.Keycloak.Admin == nil {
		return nil
	}
	return keycloakReissuer{d.Keycloak}
}

// keycloakReissuer is the provider's keycloak block as a tokenReissuer.
type keycloakReissuer struct{ k *keycloakAccess }

// ReissueRegistrationAccessToken issues a new token for a client of the
// Keycloak the keycloak block names, in the realm of its registration
// client URI (the block's realm when the URI does not show one). A client
// URI on another server is refused rather than guessed at.
func (r keycloakReissuer) ReissueRegistrationAccessToken(ctx context.Context, clientURI, clientID string) (string, bool, error) {
	realm := keycloakRealmOf(clientURI)
	if realm == "" {
		realm = r.k.Realm
	}
	if realm == "" {
		return "", false, fmt.Errorf("the realm of client %q is unknown: its registration client URI does not show it and the keycloak block sets none", clientID)
	}
	base := strings.TrimSuffix(r.k.Admin.RealmURL(realm), "/admin/realms/"+url.PathEscape(realm))
	if !strings.HasPrefix(clientURI, base+"/") {
		return "", false, fmt.Errorf("client %q is not on the Keycloak of the keycloak block (%s): its registration client URI is %s", clientID, base, clientURI)
	}
	tok, err := r.k.Admin.NewRegistrationAccessToken(ctx, realm, clientID)
	var ke *keycloak.Error
	if errors.As(err, &ke) && ke.Kind == keycloak.KindNotFound && ke.Op == keycloak.OpNewRegistrationAccessToken {
		return "", false, nil // the realm exists, the client does not
	}
	if err != nil {
		return "", false, err
	}
	return tok, true, nil
}

func (r keycloakReissuer) Secrets() []string { return r.k.Admin.Secrets() }
