package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
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
