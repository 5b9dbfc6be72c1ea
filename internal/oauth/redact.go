package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
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
	// Keycloak's admin REST API (ClientRepresentation) spells them so.
	"registrationaccesstoken": true,
	"secret":                  true,
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

// secretTextKeys are the key names RedactText looks for in text that is not
// (or not entirely) JSON: the JSON field names above plus the camelCase and
// bare forms vendors use in their own documents.
const secretTextKeys = `client_secret|registration_access_token|initial_access_token|access_token|refresh_token|id_token|` +
	`client_assertion|software_statement|password|token|secret|clientSecret|registrationAccessToken|` +
	`initialAccessToken|accessToken|refreshToken|idToken`

// secretPair finds a credential-named key followed by ':' or '=' and its
// value: a double-quoted string (possibly cut short, with no closing quote),
// a single-quoted one, or a bare word. It works on any text, so JSON cut
// short, forms, query strings, HTML and logs alike.
var secretPair = regexp.MustCompile(`(?i)(` + secretTextKeys + `)(["']?\s*[:=]\s*)` +
	`("(?:[^"\\]|\\.)*(?:"|\\?$)|'[^']*(?:'|$)|[^\s"'&,;<>{}\[\]]+)`)

// withheld replaces a whole text when a credential could not be cut out of it.
const withheld = "(text withheld: it holds a credential)"

// RedactText removes credentials from text of any shape (JSON, JSON cut
// short, HTML, a form, plain text): the value of every field named like a
// credential, and every known secret value (raw and JSON-escaped, and a
// start of one that ends a cut-short text). If a known secret still shows
// after that, the whole text is withheld. Use it for anything a server sent
// before it reaches a message or a log.
func RedactText(s string, secrets ...string) string {
	if s == "" {
		return s
	}
	s = redactPairs(s)
	for _, secret := range secrets {
		s = maskValue(s, secret)
	}
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			return withheld
		}
	}
	return s
}

func redactPairs(s string) string {
	matches := secretPair.FindAllStringSubmatchIndex(s, -1)
	if matches == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		value := s[m[6]:m[7]]
		b.WriteString(s[last:m[6]])
		switch {
		case value == `"`+Redacted+`"` || value == "'"+Redacted+"'":
			b.WriteString(value)
		case strings.HasPrefix(value, `"`):
			b.WriteString(`"` + Redacted + `"`)
		case strings.HasPrefix(value, "'"):
			b.WriteString("'" + Redacted + "'")
		default:
			b.WriteString(Redacted)
		}
		last = m[7]
	}
	b.WriteString(s[last:])
	return b.String()
}

// minSecretPrefix is the shortest tail of a cut-short text that is masked as
// the start of a known secret.
const minSecretPrefix = 4

func maskValue(s, secret string) string {
	if secret == "" {
		return s
	}
	forms := []string{secret}
	if enc, err := json.Marshal(secret); err == nil {
		if e := string(enc[1 : len(enc)-1]); e != secret {
			forms = append(forms, e)
		}
		if e := strings.ReplaceAll(string(enc[1:len(enc)-1]), "/", `\/`); e != secret {
			forms = append(forms, e)
		}
	}
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, Redacted)
	}
	// A text cut short in the middle of the secret ends with its start.
	for _, f := range forms {
		for n := len(f) - 1; n >= minSecretPrefix; n-- {
			if strings.HasSuffix(s, f[:n]) {
				return s[:len(s)-n] + Redacted
			}
		}
	}
	return s
}

// readableFields returns the names of the top-level fields a JSON object
// (possibly cut short) begins with, never their values: enough to describe
// an answer that cannot be used without showing what it holds.
func readableFields(body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var names []string
	for len(names) < 40 {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, ok := tok.(string)
		if !ok {
			break
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			// The value was cut short: the name was read, its value was not.
			names = append(names, sanitize(key, 64)+" (cut short)")
			break
		}
		names = append(names, sanitize(key, 64))
	}
	return names
}

// DescribeBody describes a body without showing it: its content type, size
// and, for JSON, the top-level fields that could be read.
func DescribeBody(contentType string, size int, fields []string) string {
	ct := sanitize(contentType, 100)
	if ct == "" {
		ct = "no content type"
	}
	d := fmt.Sprintf("%s, %d bytes", ct, size)
	if len(fields) > 0 {
		d += ", fields read: " + strings.Join(fields, ", ")
	} else if size > 0 {
		d += ", no JSON field could be read"
	}
	return d
}
