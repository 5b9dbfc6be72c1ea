package oauth

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Redacted replaces secret values in logs and messages.
const Redacted = "[REDACTED]"

// secretJSONKeys are body fields whose values are credentials.
var secretJSONKeys = map[string]bool{
	"client_secret":             true,
	"registration_access_token": true,
	"access_token":              true,
	"refresh_token":             true,
	"id_token":                  true,
	"initial_access_token":      true,
	"token":                     true,
	"password":                  true,
	"client_assertion":          true,
	"software_statement":        true,
}

// secretHeaders are headers whose values are credentials.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// IsSecretKey reports whether a JSON field or attribute name holds a credential.
func IsSecretKey(key string) bool { return secretJSONKeys[strings.ToLower(key)] }

// RedactHeaders returns a copy of h with credential headers replaced.
func RedactHeaders(h http.Header) http.Header {
	out := h.Clone()
	for _, name := range secretHeaders {
		if vals := out.Values(name); len(vals) > 0 {
			redacted := make([]string, len(vals))
			for i, v := range vals {
				// Keep the scheme ("Bearer") so logs still say what kind of credential was sent.
				if scheme, _, ok := strings.Cut(v, " "); ok && name != "Cookie" && name != "Set-Cookie" {
					redacted[i] = scheme + " " + Redacted
				} else {
					redacted[i] = Redacted
				}
			}
			out[http.CanonicalHeaderKey(name)] = redacted
		}
	}
	return out
}

// RedactJSON returns body as a string with the values of credential fields
// replaced, at any depth. A body that is not JSON is returned only as a size
// note, since it could hold anything.
func RedactJSON(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "(non-JSON body, " + strconv.Itoa(len(body)) + " bytes, not logged)"
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return "(body not logged)"
	}
	return string(out)
}

func redactValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if IsSecretKey(k) {
				t[k] = Redacted
			} else {
				t[k] = redactValue(val)
			}
		}
		return t
	case []any:
		for i := range t {
			t[i] = redactValue(t[i])
		}
		return t
	default:
		return v
	}
}
