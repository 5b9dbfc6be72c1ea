package oauth

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"unicode"
)

// ClientInformation is a registration as the server answered it: the client
// information of RFC 7591 section 3.2.1 and RFC 7592 section 3, and the
// metadata as the server actually stored it (servers rewrite, drop and add
// fields, so this is the truth, not what was sent).
type ClientInformation struct {
	ClientID     string
	ClientSecret string
	// ClientIDIssuedAt is seconds since the epoch; 0 when the server did not say.
	ClientIDIssuedAt int64
	// ClientSecretExpiresAt is seconds since the epoch; 0 means the secret
	// never expires (or the server did not say).
	ClientSecretExpiresAt   int64
	RegistrationAccessToken string
	RegistrationClientURI   string
	Metadata                ClientMetadata
}

// SecretExpired reports whether the client secret has an expiry at or before
// nowUnix (seconds since the epoch).
func (ci *ClientInformation) SecretExpired(nowUnix int64) bool {
	return ci.ClientSecretExpiresAt > 0 && ci.ClientSecretExpiresAt <= nowUnix
}

// ManagementAvailable reports whether the answer makes RFC 7592 management
// possible: a registration client URI and a registration access token.
func (ci *ClientInformation) ManagementAvailable() bool {
	return ci.RegistrationClientURI != "" && ci.RegistrationAccessToken != ""
}

// DecodeClientInformation decodes a registration or management response. It
// is lenient about everything but client_id, because by the time it runs a
// client may already exist on the server and losing its identity is worse
// than a timestamp of an odd shape: timestamps may be integers, floats or
// numeric strings; anything unusable counts as absent. Unknown fields are kept
// in Metadata.Extra.
func DecodeClientInformation(body []byte) (*ClientInformation, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, errors.New("the response body is empty")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		return nil, fmt.Errorf("the response is not a JSON object: %w", err)
	}
	if obj == nil {
		return nil, errors.New("the response is JSON null, not an object")
	}
	ci := &ClientInformation{}
	ci.ClientID = takeString(obj, FieldClientID)
	ci.ClientSecret = takeString(obj, FieldClientSecret)
	ci.RegistrationAccessToken = takeString(obj, FieldRegistrationAccessToken)
	ci.RegistrationClientURI = takeString(obj, FieldRegistrationClientURI)
	ci.ClientIDIssuedAt = takeUnixTime(obj, FieldClientIDIssuedAt)
	ci.ClientSecretExpiresAt = takeUnixTime(obj, FieldClientSecretExpiresAt)
	ci.Metadata.fromMap(obj)
	return ci, nil
}

// takeString removes key from obj and returns its value when it is a string.
func takeString(obj map[string]json.RawMessage, key string) string {
	raw, ok := obj[key]
	if !ok {
		return ""
	}
	delete(obj, key)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	// A numeric client_id (some servers use integers) is still an identity.
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// takeUnixTime removes key from obj and returns it as whole seconds.
func takeUnixTime(obj map[string]json.RawMessage, key string) int64 {
	raw, ok := obj[key]
	if !ok {
		return 0
	}
	delete(obj, key)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(strings.TrimSpace(s))
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || f < 0 || f > math.MaxInt64/2 {
		return 0
	}
	return int64(f)
}

// ClientUpdate is the body of an RFC 7592 update (PUT).
type ClientUpdate struct {
	// ClientID is required: RFC 7592 section 2.2 and node-oidc-provider insist.
	ClientID string
	// ClientSecret is sent only when set. RFC 7592 allows it (it must match
	// the current secret) but Ory Hydra refuses any client_secret with 403,
	// so callers should leave it empty unless a server demands it.
	ClientSecret string
	// Metadata is the full metadata. Send everything, including fields the
	// server returned that the caller does not manage: an omitted field is
	// reset by the server (Keycloak turns a public client confidential when
	// token_endpoint_auth_method is left out).
	Metadata ClientMetadata
}

// forbiddenInUpdate are fields RFC 7592 section 2.2 forbids in an update.
var forbiddenInUpdate = []string{
	FieldRegistrationAccessToken, FieldRegistrationClientURI, FieldClientIDIssuedAt, FieldClientSecretExpiresAt,
}

// UpdateBody builds the JSON body of an update: the full metadata with
// client_id (and client_secret when set), and none of the fields RFC 7592
// forbids, even when they hide in Metadata.Extra.
func (u ClientUpdate) UpdateBody() ([]byte, error) {
	obj, err := u.Metadata.toMap()
	if err != nil {
		return nil, err
	}
	for _, k := range forbiddenInUpdate {
		delete(obj, k)
	}
	delete(obj, FieldClientSecret)
	idRaw, _ := json.Marshal(u.ClientID)
	obj[FieldClientID] = idRaw
	if u.ClientSecret != "" {
		secretRaw, _ := json.Marshal(u.ClientSecret)
		obj[FieldClientSecret] = secretRaw
	}
	return marshalObject(obj)
}

// registrationBody builds the body of a registration: the metadata without
// any client information field, since servers generate those (Keycloak
// answers 400 to a client_id, Hydra to a client_secret).
func registrationBody(md ClientMetadata) ([]byte, error) {
	obj, err := md.toMap()
	if err != nil {
		return nil, err
	}
	for k := range obj {
		if IsClientInformationField(k) {
			delete(obj, k)
		}
	}
	return marshalObject(obj)
}

// Registration operations, as named in RegistrationError.Operation.
const (
	OpRegister = "register"
	OpRead     = "read"
	OpUpdate   = "update"
	OpDelete   = "delete"
)

// RegisterClient registers a client (RFC 7591 section 3.1) at endpoint,
// presenting initialAccessToken as a Bearer token when it is not empty. The
// POST is sent exactly once: a retried registration creates a second client.
// Errors are *RegistrationError.
func (c *Client) RegisterClient(ctx context.Context, endpoint string, md ClientMetadata, initialAccessToken string) (*ClientInformation, error) {
	body, err := registrationBody(md)
	if err != nil {
		return nil, fmt.Errorf("encoding the client metadata: %w", err)
	}
	return c.registrationCall(ctx, OpRegister, http.MethodPost, endpoint, initialAccessToken, body, "")
}

// ReadClient reads a registration (RFC 7592 section 2.1) with its
// registration access token. The answer may carry a new registration access
// token; when it does the old one is dead. The GET is sent exactly once, for
// the same reason: a retry would present a token a lost first answer may
// have replaced. Errors are *RegistrationError.
func (c *Client) ReadClient(ctx context.Context, clientURI, registrationAccessToken string) (*ClientInformation, error) {
	return c.registrationCall(ctx, OpRead, http.MethodGet, clientURI, registrationAccessToken, nil, "")
}

// UpdateClient replaces a registration's metadata (RFC 7592 section 2.2).
// The PUT is sent exactly once. The answer usually carries a new
// registration access token (Hydra, node-oidc-provider and Keycloak rotate
// it): store it at once. Errors are *RegistrationError.
//
// When no usable answer arrives although the PUT may have reached the server
// (the connection broke after sending, a timeout, or a 2xx answer that is
// empty, oversized or not JSON), the update may have been applied and the
// token rotated with it. UpdateClient then reads the client once with the
// token it used: a 2xx answer with an empty body followed by a successful
// read is a success (the read's answer is returned); otherwise the
// *RegistrationError carries the read's answer in Resynced, or why it failed
// in ResyncErr, and MayHaveBeenApplied reports true.
func (c *Client) UpdateClient(ctx context.Context, clientURI, registrationAccessToken string, update ClientUpdate) (*ClientInformation, error) {
	if update.ClientID == "" {
		return nil, errors.New("an update needs the client_id")
	}
	body, err := update.UpdateBody()
	if err != nil {
		return nil, fmt.Errorf("encoding the client metadata: %w", err)
	}
	ci, err := c.registrationCall(ctx, OpUpdate, http.MethodPut, clientURI, registrationAccessToken, body, update.ClientID)
	var e *RegistrationError
	if err == nil || !errors.As(err, &e) || !e.MayHaveBeenApplied() {
		return ci, err
	}
	read, readErr := c.registrationCall(ctx, OpRead, http.MethodGet, clientURI, registrationAccessToken, nil, update.ClientID)
	if readErr == nil && e.emptyAnswer {
		return read, nil
	}
	e.Resynced, e.ResyncErr = read, readErr
	return nil, e
}

// DeleteClient deletes a registration (RFC 7592 section 2.3). A client that
// is already gone answers 404 or 410 (KindNotFound) or, since its token died
// with it, 401 (KindUnauthorized): the caller decides what those mean.
// Errors are *RegistrationError.
func (c *Client) DeleteClient(ctx context.Context, clientURI, registrationAccessToken string) error {
	_, err := c.registrationCall(ctx, OpDelete, http.MethodDelete, clientURI, registrationAccessToken, nil, "")
	return err
}

func (c *Client) registrationCall(ctx context.Context, op, method, target, token string, body []byte, knownClientID string) (*ClientInformation, error) {
	base := RegistrationError{Operation: op, Method: method, URL: target, TokenSent: token != ""}
	if err := ValidateURL(target, c.opts.AllowInsecureHTTP); err != nil {
		e := base
		e.Err = err
		e.kind = KindTransport
		e.notSent = true
		return nil, &e
	}
	// Every registration GET is a management read: RFC 7592 lets any answer
	// rotate the registration access token, so it is never retried.
	resp, err := c.do(ctx, request{method: method, url: target, bearer: token, body: body, noRetry: method == http.MethodGet})
	if err != nil {
		e := base
		e.Err = err
		e.kind = KindTransport
		e.notSent = resp == nil && requestNotSent(err)
		if resp != nil {
			e.Status = resp.Status
			if resp.Status >= 200 && resp.Status < 300 {
				e.kind = KindInvalidResponse
			}
		}
		return nil, &e
	}
	if resp.Status < 200 || resp.Status > 299 {
		return nil, newRegistrationError(base, resp, token)
	}
	if op == OpDelete {
		return nil, nil
	}
	ci, err := DecodeClientInformation(resp.Body)
	if err == nil && ci.ClientID == "" {
		ci.ClientID = knownClientID
		if ci.ClientID == "" {
			err = errors.New("the answer has no client_id")
		}
	}
	if err != nil {
		e := base
		e.Status = resp.Status
		e.Body = redactBody(resp.Body, token)
		e.Err = err
		e.kind = KindInvalidResponse
		e.emptyAnswer = len(bytes.TrimSpace(resp.Body)) == 0
		return nil, &e
	}
	return ci, nil
}

// requestNotSent reports whether a transport error shows that the request
// never reached the server: the connection could not be made (refused, name
// not resolved, dial timeout) or the server's certificate was refused.
func requestNotSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	return errors.As(err, &dnsErr) || errors.As(err, &certErr) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, ErrInsecureTransport)
}

// ErrorKind classifies a RegistrationError by what the user should do next.
type ErrorKind string

// Error kinds.
const (
	// KindIATMissing: the server wants an Initial Access Token and none was sent.
	KindIATMissing ErrorKind = "initial_access_token_missing"
	// KindIATExpired: the Initial Access Token has expired.
	KindIATExpired ErrorKind = "initial_access_token_expired"
	// KindIATUsedUp: the Initial Access Token has no uses left.
	KindIATUsedUp ErrorKind = "initial_access_token_used_up"
	// KindIATInvalid: the server does not know or cannot decode the token sent.
	KindIATInvalid ErrorKind = "initial_access_token_invalid"
	// KindPolicyRefused: a registration policy refused the request (PolicyName says which, when the server said).
	KindPolicyRefused ErrorKind = "policy_refused"
	// KindInvalidRedirectURI: RFC 7591 invalid_redirect_uri.
	KindInvalidRedirectURI ErrorKind = "invalid_redirect_uri"
	// KindInvalidClientMetadata: RFC 7591 invalid_client_metadata.
	KindInvalidClientMetadata ErrorKind = "invalid_client_metadata"
	// KindInvalidSoftwareStatement: RFC 7591 invalid_ or unapproved_software_statement.
	KindInvalidSoftwareStatement ErrorKind = "invalid_software_statement"
	// KindUnauthorized: a management request answered 401. The client may be
	// deleted (its token died with it) or the token may be stale: 401 cannot
	// tell which.
	KindUnauthorized ErrorKind = "unauthorized"
	// KindNotFound: the registration client URI answered 404 or 410.
	KindNotFound ErrorKind = "not_found"
	// KindManagementUnsupported: the server does not implement RFC 7592 here (405, 501).
	KindManagementUnsupported ErrorKind = "management_unsupported"
	// KindInvalidResponse: a success status with a body that cannot be used.
	KindInvalidResponse ErrorKind = "invalid_response"
	// KindTransport: no usable answer (network error, refused URL, oversized body).
	KindTransport ErrorKind = "transport"
	// KindOther: anything else; the error carries what the server said.
	KindOther ErrorKind = "other"
)

// RegistrationError is what a registration or management request failed
// with: what was asked, what the server said (redacted), and a
// classification for diagnostics.
type RegistrationError struct {
	Operation string // OpRegister, OpRead, OpUpdate or OpDelete
	Method    string
	URL       string
	Status    int // 0 when there was no response
	// Code and Description are the OAuth error and error_description (or the
	// closest the server's own error shape offered).
	Code        string
	Description string
	// Challenge is the Bearer challenge of WWW-Authenticate, when there was one.
	Challenge *BearerChallenge
	// Body is the response body, with credentials redacted.
	Body string
	// TokenSent says whether a Bearer token was presented.
	TokenSent bool
	// Policy is the refusing policy's name (Keycloak names it).
	Policy string
	// Err is the underlying error for KindTransport and KindInvalidResponse.
	Err error
	// Resynced and ResyncErr are set by UpdateClient when MayHaveBeenApplied:
	// the client as a read right after the update answered (with the token
	// the update used), or why that read failed.
	Resynced  *ClientInformation
	ResyncErr error

	kind        ErrorKind
	notSent     bool // the request certainly did not reach the server
	emptyAnswer bool // a success status with an empty body
}

// MayHaveBeenApplied reports whether the server may have acted on the
// request although no usable answer arrived: a success status whose body
// could not be used, or a transport failure after the request may have been
// sent (a broken connection, a timeout). For an RFC 7592 update that means
// the registration access token may have been rotated with it, and the
// answer carrying the new one is lost.
func (e *RegistrationError) MayHaveBeenApplied() bool {
	if e.Status >= 200 && e.Status < 300 {
		return true
	}
	return e.Status == 0 && e.Kind() == KindTransport && !e.notSent
}

// Kind classifies the error.
func (e *RegistrationError) Kind() ErrorKind {
	if e.kind == "" {
		return KindOther
	}
	return e.kind
}

func (e *RegistrationError) Unwrap() error { return e.Err }

func (e *RegistrationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.Method, e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %s", statusText(e.Status))
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// ServerSaid renders what the server answered, for diagnostics: status,
// error code and description, and the redacted body when it adds anything.
func (e *RegistrationError) ServerSaid() string {
	if e.Status == 0 {
		if e.Err != nil {
			return "No answer: " + e.Err.Error()
		}
		return "No answer."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s answered %s", e.Method, e.URL, statusText(e.Status))
	if e.Code != "" {
		fmt.Fprintf(&b, ", error %q", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	b.WriteString(".")
	if e.Body != "" && (e.Code == "" || e.Kind() == KindOther || e.Kind() == KindInvalidResponse) {
		fmt.Fprintf(&b, "\nResponse body (credentials redacted): %s", e.Body)
	}
	if e.Err != nil && e.Kind() != KindOther {
		fmt.Fprintf(&b, "\n%v", e.Err)
	}
	return b.String()
}

// Hint says what to do next, in a sentence or two.
func (e *RegistrationError) Hint() string {
	switch e.Kind() {
	case KindIATMissing:
		return "The server requires an Initial Access Token (or another registration credential) for this endpoint. " +
			"Create one on the authorization server (Keycloak: Clients > Initial access token, or POST " +
			"/admin/realms/{realm}/clients-initial-access) and pass it as initial_access_token_wo or the provider's " +
			"initial_access_token (MCP_INITIAL_ACCESS_TOKEN)."
	case KindIATExpired:
		return "The Initial Access Token has expired. Create a new one on the authorization server, with an expiration long " +
			"enough for the run, and supply it through initial_access_token_wo or MCP_INITIAL_ACCESS_TOKEN."
	case KindIATUsedUp:
		return "The Initial Access Token has no registrations left (its count is used up). Create a new one with a count " +
			"covering every client this configuration registers, and supply it through initial_access_token_wo or " +
			"MCP_INITIAL_ACCESS_TOKEN."
	case KindIATInvalid:
		return "The server does not accept the Initial Access Token: it is unknown, malformed, expired, from another " +
			"realm or issuer, or was revoked (Keycloak answers \"Failed decode token\" for an expired token too). Check " +
			"that the token was copied whole and was issued for this registration endpoint (Keycloak tokens carry the " +
			"URL they were made at), or create a new one."
	case KindPolicyRefused:
		if e.Policy != "" {
			return fmt.Sprintf("The server's registration policy %q refused the request. Change the request to satisfy it, "+
				"or ask the server's administrator to adjust the policy (Keycloak: Clients > Client registration > "+
				"policies; \"Trusted Hosts\" refuses anonymous requests unless the host is trusted, so an Initial Access "+
				"Token usually avoids it; \"Allowed Client Scopes\" refuses scopes that are not realm client scopes).", e.Policy)
		}
		return "The server refused the request on policy grounds. Check which metadata (scopes, redirect URIs, grant types) " +
			"its registration policy allows, or use a credential that permits this registration."
	case KindInvalidRedirectURI:
		return "The server does not accept one of redirect_uris (or post_logout_redirect_uris). Check the scheme (https, " +
			"or http only on loopback for native clients), that the URIs carry no fragment, and that the server's " +
			"redirect URI policy allows the host."
	case KindInvalidClientMetadata:
		return "The server rejected a metadata value. The description above names the field when the server said; check " +
			"grant_types against response_types, token_endpoint_auth_method against what the server supports, and " +
			"vendor fields in extra_metadata."
	case KindInvalidSoftwareStatement:
		return "The server rejected software_statement: it is malformed, signed by a key the server does not trust, or " +
			"not approved for this server. Obtain a statement issued for this authorization server."
	case KindUnauthorized:
		return "The registration access token was refused. Either the client was deleted on the server (its token dies " +
			"with it) or the token is no longer valid (rotated by another tool, revoked, or expired). 401 cannot tell these " +
			"apart. If the client still exists, import it again with a fresh token (provider registration_access_token); " +
			"the resource's on_unauthorized argument chooses what refresh does."
	case KindNotFound:
		return "The registration client URI does not exist: the client was deleted on the server, or the server does not " +
			"implement RFC 7592 management at that URI."
	case KindManagementUnsupported:
		return "The server does not support RFC 7592 client management at this URI. Changes need a new registration; " +
			"a deleted client has to be removed on the server by hand."
	case KindInvalidResponse:
		if e.Operation == OpRegister {
			return "The server answered with success but the answer could not be used, so a client may exist on the server " +
				"that Terraform does not know about. Check the server for an unexpected client and delete it by hand."
		}
		if e.Operation == OpUpdate {
			return "The server answered with success but the answer could not be used, so the update was applied and the " +
				"registration access token may have been rotated with it. Check that the URL points at an RFC 7592 " +
				"registration client URI."
		}
		return "The server answered with success but the answer could not be used. Check that the URL points at an RFC " +
			"7592 registration client URI."
	case KindTransport:
		if e.Operation == OpRegister && e.Status == 0 && e.Err != nil && !errors.Is(e.Err, ErrInsecureTransport) {
			return "No answer arrived. The registration may still have been processed: check the server for a new client " +
				"before retrying, since every registration creates another client."
		}
		if e.Operation == OpUpdate && e.MayHaveBeenApplied() {
			return "No answer arrived after the update was sent. The server may have applied it, and rotated the " +
				"registration access token with it."
		}
		return "Check the URL, network access and TLS settings (ca_cert_pem, allow_insecure_http)."
	}
	switch {
	case e.Operation == OpRegister && (e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed):
		return "Nothing accepts registrations at this URL. Use the registration_endpoint from the authorization server's " +
			"metadata (data source mcp_oauth_discovery); some servers enable dynamic registration only by configuration."
	case e.Status >= 500:
		return "The server failed. Try again later; its logs will say more."
	}
	return "See what the server said above."
}

// PolicyName returns the name of the refusing policy, when the server named one.
func (e *RegistrationError) PolicyName() string { return e.Policy }

// keycloakPolicy matches Keycloak's "Policy 'Trusted Hosts' rejected request to client-registration service. Details: ...".
var keycloakPolicy = regexp.MustCompile(`(?i)policy\s+'([^']+)'\s+rejected`)

func newRegistrationError(base RegistrationError, resp *response, token string) *RegistrationError {
	e := base
	e.Status = resp.Status
	e.Code, e.Description = parseErrorBody(resp.Body)
	e.Body = redactBody(resp.Body, token)
	if ch, ok := bearerChallenge(resp.Header); ok {
		e.Challenge = &ch
		if e.Code == "" {
			e.Code, e.Description = ch.Error, ch.ErrorDescription
		}
	}
	e.Description = maskSecret(e.Description, token)
	if m := keycloakPolicy.FindStringSubmatch(e.Description); m != nil {
		e.Policy = m[1]
	}
	e.kind = classify(&e)
	return &e
}

func classify(e *RegistrationError) ErrorKind {
	desc := strings.ToLower(e.Description)
	code := strings.ToLower(e.Code)
	if e.Policy != "" {
		return KindPolicyRefused
	}
	switch code {
	case "invalid_redirect_uri":
		return KindInvalidRedirectURI
	case "invalid_client_metadata":
		if strings.Contains(desc, "redirect") {
			return KindInvalidRedirectURI
		}
		return KindInvalidClientMetadata
	case "invalid_software_statement", "unapproved_software_statement":
		return KindInvalidSoftwareStatement
	}
	if e.Operation == OpRegister {
		switch e.Status {
		case http.StatusUnauthorized:
			switch {
			case !e.TokenSent:
				return KindIATMissing
			case strings.Contains(desc, "expired"):
				return KindIATExpired
			case strings.Contains(desc, "remaining count") || strings.Contains(desc, "no remaining") ||
				strings.Contains(desc, "used up") || strings.Contains(desc, "already used"):
				return KindIATUsedUp
			default:
				return KindIATInvalid
			}
		case http.StatusForbidden:
			// A named policy is the most useful answer even for an anonymous
			// request (Keycloak's Trusted Hosts); its hint says a token avoids it.
			if code == "insufficient_scope" || strings.Contains(desc, "policy") {
				return KindPolicyRefused
			}
			if !e.TokenSent {
				return KindIATMissing
			}
		}
		return KindOther
	}
	switch e.Status {
	case http.StatusUnauthorized:
		return KindUnauthorized
	case http.StatusNotFound, http.StatusGone:
		return KindNotFound
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return KindManagementUnsupported
	case http.StatusForbidden:
		if code == "insufficient_scope" || strings.Contains(desc, "policy") {
			return KindPolicyRefused
		}
	}
	return KindOther
}

// parseErrorBody pulls an error code and description from the shapes servers
// use: RFC 6749 {error, error_description}; {message}; {detail, title}
// (RFC 9457); {error: {code, message}}; {errors: [{message}]}.
func parseErrorBody(body []byte) (code, desc string) {
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil {
		return "", ""
	}
	str := func(m map[string]any, keys ...string) string {
		for _, k := range keys {
			if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	code = str(obj, "error", "code")
	desc = str(obj, "error_description", "message", "detail", "title", "error_message", "reason")
	if inner, ok := obj["error"].(map[string]any); ok {
		if code == "" {
			code = str(inner, "code", "type", "status")
		}
		if desc == "" {
			desc = str(inner, "message", "description", "reason")
		}
	}
	if list, ok := obj["errors"].([]any); ok && desc == "" {
		var parts []string
		for _, it := range list {
			switch v := it.(type) {
			case string:
				parts = append(parts, v)
			case map[string]any:
				if s := str(v, "message", "detail", "description"); s != "" {
					parts = append(parts, s)
				}
			}
		}
		desc = strings.Join(parts, "; ")
	}
	return sanitize(code, 200), sanitize(desc, 1000)
}

// redactBody renders a body for an error: JSON with credential fields
// redacted, or a short excerpt of text with the sent token masked.
func redactBody(body []byte, token string) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		return maskSecret(sanitize(RedactJSON(body), 2000), token)
	}
	return maskSecret(sanitize(string(body), 500), token)
}

func maskSecret(s, secret string) string {
	if secret == "" || s == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, Redacted)
}

// sanitize collapses whitespace, drops control characters and truncates.
func sanitize(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "... (" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// bearerChallenge returns the Bearer challenge of a response, if any. A
// malformed header is not an error here: the body usually says more.
func bearerChallenge(h http.Header) (BearerChallenge, bool) {
	values := h.Values("WWW-Authenticate")
	if len(values) == 0 {
		return BearerChallenge{}, false
	}
	challenges, _ := ParseWWWAuthenticate(values)
	return FindBearerChallenge(challenges)
}
