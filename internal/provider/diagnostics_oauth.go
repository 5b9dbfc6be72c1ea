package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// This file turns what internal/oauth reports (URL rule violations, error
// kinds, discovery traces, the match mode that would have accepted a
// document) into diagnostics for people who write Terraform configuration:
// the attribute names, provider settings and environment variables that fix
// them live here, never in internal/oauth.

// checkTransport applies the plain-http rule, which validators cannot (it
// depends on the provider's allow_insecure_http), to one URL attribute.
func checkTransport(attr path.Path, raw string, data *providerData, diags *diag.Diagnostics) {
	if raw == "" || data == nil {
		return
	}
	err := oauth.ValidateURL(raw, data.AllowInsecureHTTP)
	switch {
	case err == nil:
	case errors.Is(err, oauth.ErrInsecureTransport):
		diags.AddAttributeError(attr, "Plain http is not allowed for this host",
			fmt.Sprintf("%s is plain http to a host that is not a loopback address, so anything sent or received could be "+
				"read or changed on the way. Use an https URL, or, for a private network such as a container network, set "+
				"`allow_insecure_http = true` in the provider block (or MCP_ALLOW_INSECURE_HTTP=true).", oauth.RedactURL(raw)))
	default:
		diags.AddAttributeError(attr, "Invalid URL", urlErrorDetail(err))
	}
}

// urlErrorDetail words a URL rule violation (the message never repeats user
// information) with what to do instead.
func urlErrorDetail(err error) string {
	detail := err.Error() + "."
	if errors.Is(err, oauth.ErrUserInfo) {
		detail += " Remove the user information from the URL; put credentials in provider arguments " +
			"(initial_access_token, registration_access_token, headers) instead."
	}
	return detail
}

// addRegistrationEndpointError reports a registration endpoint that the
// transport policy refuses, at plan time.
func addRegistrationEndpointError(diags *diag.Diagnostics, err error) {
	detail := urlErrorDetail(err)
	if errors.Is(err, oauth.ErrInsecureTransport) {
		detail += " Plain http exposes the Initial Access Token and the issued client secret; set allow_insecure_http = true " +
			"in the provider block (or MCP_ALLOW_INSECURE_HTTP=true) only for private networks such as http://keycloak:8080."
	}
	diags.AddAttributeError(path.Root("registration_endpoint"), "Registration endpoint refused", detail)
}

// tlsSettingsError words an oauth.NewClient error for the provider block.
func tlsSettingsError(err error) string {
	if errors.Is(err, oauth.ErrNoCACertificate) {
		return "ca_cert_pem holds no valid PEM certificate. Give one or more PEM-encoded CA certificates " +
			"(-----BEGIN CERTIFICATE-----), for example with file(\"ca.pem\")."
	}
	return err.Error()
}

// matchSetting is the HCL that selects a comparison mode, such as
// `issuer_match = "allow_trailing_slash"`.
func matchSetting(field, mode string) string {
	return fmt.Sprintf("%s_match = %q", field, mode)
}

// addDiscoveryError turns a discovery error into a diagnostic that says what
// was tried and what to do next. urlAttr is the attribute holding the URL
// discovery started from; matchAttr the one selecting the comparison mode.
func addDiscoveryError(diags *diag.Diagnostics, err error, what string, urlAttr, matchAttr path.Path) {
	// The texts quote server data (URLs, headers, documents): keep them valid UTF-8.
	add := func(attr path.Path, summary, detail string) {
		diags.AddAttributeError(attr, validUTF8(summary), validUTF8(detail))
	}
	var mismatch *oauth.MismatchError
	var discovery *oauth.DiscoveryError
	switch {
	case errors.As(err, &mismatch):
		detail := fmt.Sprintf("The %s metadata at %s names %s %q, but this configuration asked for %q. A client must not use "+
			"metadata that names another %s, so discovery rejected it.\n\n", what, mismatch.MetadataURL, mismatch.Field,
			mismatch.Got, mismatch.Expected, mismatch.Field)
		if mismatch.RelaxedMode != "" {
			detail += fmt.Sprintf("If %q is a variant the server publishes for the same %s, set `%s` on this data source. "+
				"Otherwise correct the URL.", mismatch.Got, mismatch.Field, matchSetting(mismatch.Field, mismatch.RelaxedMode))
		} else {
			detail += fmt.Sprintf("No %s_match mode accepts this difference: check that the configured URL is the one the "+
				"server publishes (compare with the document), or report the mismatch to the server's operator.", mismatch.Field)
		}
		detail += "\n\nURLs tried:\n" + oauth.FormatAttempts(mismatch.Attempts)
		target := urlAttr
		if mismatch.RelaxedMode != "" {
			target = matchAttr
		}
		add(target, fmt.Sprintf("The %s metadata names another %s", what, mismatch.Field), detail)
	case errors.As(err, &discovery) && discovery.Err != nil:
		add(urlAttr, fmt.Sprintf("Discovery of the %s metadata failed", what),
			fmt.Sprintf("Discovery stopped on an error: %v\n\nURLs tried:\n%s\n\nA server error (5xx) or a network, TLS or "+
				"size problem is not treated as \"not here\", so a later URL was not tried. Check that the server is up and "+
				"reachable from where Terraform runs; for a private CA set `ca_cert_pem` in the provider block; then run "+
				"again.", discovery.Err, oauth.FormatAttempts(discovery.Attempts)))
	case errors.As(err, &discovery):
		add(urlAttr, fmt.Sprintf("No %s metadata found", what),
			fmt.Sprintf("None of the URLs where the %s metadata can be published served a usable document.\n\nURLs tried:\n%s\n\n%s",
				what, oauth.FormatAttempts(discovery.Attempts), notFoundHint(what)))
	case errors.Is(err, oauth.ErrUserInfo):
		add(urlAttr, "Invalid URL", urlErrorDetail(err))
	default:
		add(urlAttr, fmt.Sprintf("Discovery of the %s metadata failed", what), err.Error())
	}
}

// notFoundHint says what the configured URL should be: an MCP server's
// endpoint URL for protected resource metadata, an issuer identifier for
// authorization server metadata.
func notFoundHint(what string) string {
	if what == "authorization server" {
		return "Check that the configured issuer is right: the authorization server's issuer identifier exactly as it " +
			"publishes it, such as https://auth.example.com or https://keycloak.example.com/realms/mcp (not its metadata " +
			"URL, not an endpoint such as the token endpoint). The URLs above are built from it as RFC 8414 and OpenID " +
			"Connect Discovery prescribe."
	}
	return "Check that the configured URL is right: the MCP server's endpoint URL itself, such as " +
		"https://mcp.example.com/mcp. If the server publishes its metadata somewhere else, give that URL directly."
}

// addRegistrationError turns an oauth error into a diagnostic with a short
// title, what the server said (redacted) and what to do next.
func addRegistrationError(diags *diag.Diagnostics, err error, attr path.Path, clientID string) {
	var e *oauth.RegistrationError
	if !errors.As(err, &e) {
		diags.AddAttributeError(attr, "Client registration request failed", err.Error())
		return
	}
	detail := e.ServerSaid() + "\n\n" + registrationHint(e)
	if clientID != "" {
		detail += fmt.Sprintf("\n\nClient: %s.", clientID)
	}
	diags.AddAttributeError(attr, registrationErrorTitle(e), detail)
}

func registrationErrorTitle(e *oauth.RegistrationError) string {
	switch e.Kind() {
	case oauth.KindIATMissing:
		return "Initial Access Token required"
	case oauth.KindIATExpired:
		return "Initial Access Token expired"
	case oauth.KindIATUsedUp:
		return "Initial Access Token used up"
	case oauth.KindIATInvalid:
		return "Initial Access Token not accepted"
	case oauth.KindPolicyRefused:
		if e.Policy != "" {
			return fmt.Sprintf("Registration refused by policy %q", e.Policy)
		}
		return "Registration refused by policy"
	case oauth.KindInvalidRedirectURI:
		return "Redirect URI not accepted"
	case oauth.KindInvalidClientMetadata:
		return "Client metadata not accepted"
	case oauth.KindInvalidSoftwareStatement:
		return "Software statement not accepted"
	case oauth.KindUnauthorized:
		return "Registration access token refused"
	case oauth.KindNotFound:
		return "Client not found"
	case oauth.KindManagementUnsupported:
		return "Client management not supported"
	case oauth.KindInvalidResponse:
		return "Unusable answer from the registration server"
	case oauth.KindTransport:
		return transportTitle(e)
	}
	switch e.Operation {
	case oauth.OpRegister:
		return "Client registration failed"
	case oauth.OpRead:
		return "Reading the client failed"
	case oauth.OpUpdate:
		return "Updating the client failed"
	}
	return "Deleting the client failed"
}

// registrationHint says what to do next, in a sentence or two, naming the
// arguments and settings that fix it.
func registrationHint(e *oauth.RegistrationError) string {
	switch e.Kind() {
	case oauth.KindIATMissing:
		return "The server requires an Initial Access Token (or another registration credential) for this endpoint. " +
			"Create one on the authorization server (Keycloak: Clients > Initial access token, or POST " +
			"/admin/realms/{realm}/clients-initial-access) and pass it as initial_access_token_wo or the provider's " +
			"initial_access_token (MCP_INITIAL_ACCESS_TOKEN)."
	case oauth.KindIATExpired:
		return "The Initial Access Token has expired. Create a new one on the authorization server, with an expiration long " +
			"enough for the run, and supply it through initial_access_token_wo or MCP_INITIAL_ACCESS_TOKEN."
	case oauth.KindIATUsedUp:
		return "The Initial Access Token has no registrations left (its count is used up). Create a new one with a count " +
			"covering every client this configuration registers, and supply it through initial_access_token_wo or " +
			"MCP_INITIAL_ACCESS_TOKEN."
	case oauth.KindIATInvalid:
		return "The server does not accept the Initial Access Token: it is unknown, malformed, expired, from another " +
			"realm or issuer, or was revoked (Keycloak answers \"Failed decode token\" for an expired token too). Check " +
			"that the token was copied whole and was issued for this registration endpoint (Keycloak tokens carry the " +
			"URL they were made at), or create a new one."
	case oauth.KindPolicyRefused:
		if e.Policy != "" {
			return fmt.Sprintf("The server's registration policy %q refused the request. Change the request to satisfy it, "+
				"or ask the server's administrator to adjust the policy (Keycloak: Clients > Client registration > "+
				"policies; \"Trusted Hosts\" refuses anonymous requests unless the host is trusted, so an Initial Access "+
				"Token usually avoids it; \"Allowed Client Scopes\" refuses scopes that are not realm client scopes).", e.Policy)
		}
		return "The server refused the request on policy grounds. Check which metadata (scopes, redirect URIs, grant types) " +
			"its registration policy allows, or use a credential that permits this registration."
	case oauth.KindInvalidRedirectURI:
		return "The server does not accept one of redirect_uris (or post_logout_redirect_uris). Check the scheme (https, " +
			"or http only on loopback for native clients), that the URIs carry no fragment, and that the server's " +
			"redirect URI policy allows the host."
	case oauth.KindInvalidClientMetadata:
		return "The server rejected a metadata value. The description above names the field when the server said; check " +
			"grant_types against response_types, token_endpoint_auth_method against what the server supports, and " +
			"vendor fields in extra_metadata."
	case oauth.KindInvalidSoftwareStatement:
		return "The server rejected software_statement: it is malformed, signed by a key the server does not trust, or " +
			"not approved for this server. Obtain a statement issued for this authorization server."
	case oauth.KindUnauthorized:
		return "The registration access token was refused. Either the client was deleted on the server (its token dies " +
			"with it) or the token is no longer valid (rotated by another tool, revoked, or expired). 401 cannot tell these " +
			"apart. If the client still exists, import it again with a fresh token (provider registration_access_token); " +
			"the resource's on_unauthorized argument chooses what refresh does."
	case oauth.KindNotFound:
		return "The registration client URI does not exist: the client was deleted on the server, or the server does not " +
			"implement RFC 7592 management at that URI."
	case oauth.KindManagementUnsupported:
		return "The server does not support RFC 7592 client management at this URI. Changes need a new registration; " +
			"a deleted client has to be removed on the server by hand."
	case oauth.KindInvalidResponse:
		switch e.Operation {
		case oauth.OpRegister:
			return "The server answered with success but the answer could not be used, so a client may exist on the server " +
				"that Terraform does not know about. Check the server for an unexpected client and delete it by hand."
		case oauth.OpUpdate:
			return "The server answered with success but the answer could not be used, so the update was applied and the " +
				"registration access token may have been rotated with it. Check that the URL points at an RFC 7592 " +
				"registration client URI."
		}
		return "The server answered with success but the answer could not be used. Check that the URL points at an RFC " +
			"7592 registration client URI."
	case oauth.KindTransport:
		return transportHint(e)
	}
	switch {
	case e.Operation == oauth.OpRegister && (e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed):
		return "Nothing accepts registrations at this URL. Use the registration_endpoint from the authorization server's " +
			"metadata (data source mcp_oauth_discovery); some servers enable dynamic registration only by configuration."
	case e.Status >= 500:
		return "The server failed. Try again later; its logs will say more."
	}
	return "See what the server said above."
}

// transportTitle names a request that got no answer by how far it got: not
// sent (nothing changed on the server) or sent with the answer lost (the
// server may have acted).
func transportTitle(e *oauth.RegistrationError) string {
	what := map[string]string{oauth.OpRegister: "Registration", oauth.OpRead: "Read of the client",
		oauth.OpUpdate: "Update of the client", oauth.OpDelete: "Deletion of the client"}[e.Operation]
	switch {
	case e.Status != 0:
		return what + " failed: the answer could not be read"
	case e.NotSent() && e.Operation == oauth.OpRegister:
		return "Registration server not reached: nothing was sent"
	case e.NotSent():
		return "Registration server not reached: " + strings.ToLower(what[:1]) + what[1:] + " was not sent"
	case e.TimedOut:
		return what + " sent, no answer in time"
	}
	return what + " sent, answer lost"
}

// transportHint says what to do after a request that got no answer.
func transportHint(e *oauth.RegistrationError) string {
	if errors.Is(e.Err, oauth.ErrUserInfo) {
		return "Remove the user information from the URL; credentials go in provider arguments, not in URLs."
	}
	if e.NotSent() || e.Status != 0 {
		hint := "Nothing reached the server, so nothing changed there. Check the URL, name resolution, network access " +
			"and TLS settings (ca_cert_pem, allow_insecure_http), then run again."
		if e.Status != 0 {
			hint = "The server answered, but the answer broke off or was too large. Check that the URL points at the " +
				"registration server and not at a proxy or gateway page, then run again."
		}
		return hint
	}
	lost := "The request reached the server but its answer was lost (the connection broke or the time ran out), so " +
		"the server may have acted on it. "
	if e.TimedOut {
		lost += "If the server is only slow, raise request_timeout in the provider block. "
	}
	switch e.Operation {
	case oauth.OpRegister:
		return lost + "A registration cannot be repeated safely (each one creates another client): look on the server " +
			"for the client described below before applying again."
	case oauth.OpUpdate:
		return lost + "The update may have been applied, and the registration access token rotated with it."
	case oauth.OpRead:
		return lost + "RFC 7592 lets a server issue a new registration access token with a read's answer: if this " +
			"server does, the token in state is now dead (a lost read answer is a lost token). Run again; a refused " +
			"token then keeps the client in state."
	}
	return lost + "The client may be deleted already. Run terraform destroy again: a client that is gone answers " +
		"404 (or 401, handled as on_unauthorized says) and is then removed from state."
}

// addLostRegistration reports a registration whose answer was lost: the
// client may exist on the server, unknown to state. It names what to look
// for there.
func addLostRegistration(diags *diag.Diagnostics, e *oauth.RegistrationError, md oauth.ClientMetadata, endpoint string, sent time.Time) {
	name := md.ClientName
	if name == "" {
		name = "(none)"
	}
	redirects := "(none)"
	if len(md.RedirectURIs) > 0 {
		redirects = strings.Join(md.RedirectURIs, ", ")
	}
	detail := fmt.Sprintf("%s\n\n%s\n\nLook for a client registered at %s around %s (UTC) with client_name %q and "+
		"redirect URIs %s. If it exists, either delete it on the server and apply again, or import it (terraform import "+
		"<address> <its registration client URI>, with its registration access token in the provider's "+
		"registration_access_token). If no such client exists, apply again.",
		e.ServerSaid(), registrationHint(e), endpoint, sent.UTC().Format(time.RFC3339), name, redirects)
	diags.AddAttributeError(path.Root("registration_endpoint"), validUTF8(registrationErrorTitle(e)), validUTF8(detail))
}
