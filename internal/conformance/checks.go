package conformance

import "strings"

// ProviderChecks are the suite's check ids whose outcome the provider decides:
// discovery (protected resource and authorization server metadata, which URLs
// were tried), the resource identifier it reports, registration and the client
// metadata it sends, the scope it chooses, the client identifier kind (CIMD),
// and issuer binding. A FAILURE or a WARNING of one of them fails the run.
//
// Every other check is decided by cmd/conformance-client (PKCE, the token
// request, iss validation, bearer usage, step-up retries): a FAILURE of one of
// those fails the run too, since the client is this repository's code, but a
// WARNING is only reported.
//
// Check ids not known when this list was written are treated as provider
// checks (the strict side) until someone classifies them here.
var ProviderChecks = []string{
	// Discovery: protected resource metadata (RFC 9728) and authorization
	// server metadata (RFC 8414), with the issuer check on the latter.
	"prm-pathbased-requested",
	"authorization-server-metadata",
	"sep-2468-client-validate-metadata-issuer",
	// The resource identifier the provider reports (and refuses when the
	// metadata names another resource), sent as RFC 8707 resource.
	"resource-parameter-matches-prm",
	"resource-mismatch-rejected",
	// Registration and the client metadata it sends (from the configuration
	// in cmd/conformance-client/terraform.go).
	"client-registration",
	"sep-837-application-type-present",
	"sep-2207-client-metadata-grant-types",
	// The kind of client identifier: a client ID metadata document URL when
	// the server supports it.
	"cimd-client-id-used",
	// The scope output used for the first authorization.
	"scope-from-www-authenticate",
	"scope-from-scopes-supported",
	"scope-omitted-when-undefined",
	"scope-step-up-initial",
	"sep-2207-offline-access-not-requested",
	// Issuer binding: credentials belong to the authorization server that
	// issued them; another one means a new registration.
	"sep-2352-reregister-on-as-change",
	"sep-2352-no-reuse-on-as-change",
	"sep-2352-no-cross-as-credential-reuse",
}

// ClientChecks are check ids decided by cmd/conformance-client.
var ClientChecks = []string{
	"authorization-request",
	"token-request",
	"token-endpoint-auth-method",
	"pre-registration-auth",
	"pkce-code-challenge-sent",
	"pkce-code-verifier-sent",
	"pkce-s256-method-used",
	"pkce-verifier-matches-challenge",
	"resource-parameter-in-authorization",
	"resource-parameter-in-token",
	"resource-parameter-valid-uri",
	"resource-parameter-consistency",
	"valid-bearer-token",
	"scope-step-up-escalation",
	"scope-retry-limit",
	"sep-2350-scope-union-on-reauth",
	// RFC 9207 iss in the authorization response.
	"sep-2468-client-compare-iss-supported",
	"sep-2468-client-compare-iss-unadvertised",
	"sep-2468-client-no-normalization",
	"sep-2468-client-proceed-no-iss",
	"sep-2468-client-reject-missing-iss",
	// The suite's message schema checks.
	"wire-schema-valid",
	"wire-schema-harness-error",
	// Extension scenarios (not scored): grants and proofs this client does not do.
	"client-credentials-basic-auth",
	"client-credentials-grant-type",
	"client-credentials-jwt-verified",
	"complete-flow-jwt-bearer",
	"complete-flow-token-exchange",
	"wif-grant-type",
	"sep-1932-client-as-nonce",
	"sep-1932-client-dpop-auth-scheme",
	"sep-1932-client-fresh-proof",
	"sep-1932-client-rs-nonce",
	"sep-1932-client-token-request-proof",
}

// Owner says who decides a check: "provider" or "client".
func Owner(id string) string {
	for _, c := range ClientChecks {
		if c == id {
			return "client"
		}
	}
	return "provider"
}

// IsExtension reports whether a scenario is an extension of the specification
// (client credentials, DPoP, enterprise-managed authorization, workload
// identity): run and reported, never scored. The suite's `list` tags them
// "extension".
func IsExtension(tags []string) bool {
	for _, t := range tags {
		if strings.EqualFold(t, "extension") {
			return true
		}
	}
	return false
}
