package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

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
	// KindPolicyRefused: a registration policy refused the request (Policy says which, when the server said).
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
// classification (Kind) by what the user should do next. Wording that
// advice for a particular tool is the caller's job.
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
	// RetryAfter is the answer's Retry-After header (seconds or an HTTP
	// date), as sent, when there was one: a 429 or 503 says when to try again.
	RetryAfter string
	// Err is the underlying error for KindTransport and KindInvalidResponse.
	Err error
	// Resynced and ResyncErr are set by UpdateClient when MayHaveBeenApplied:
	// the client as a read right after the update answered (with the token
	// the update used), or why that read failed.
	Resynced  *ClientInformation
	ResyncErr error
	// Delivery says how far the request got: not sent (the server did not
	// act), sent with the answer lost (it may have acted), or answered.
	Delivery Delivery
	// TimedOut is set when the time ran out before an answer arrived.
	TimedOut bool
	// Attempts is how many times the request was sent (reads and deletes
	// are retried when the server certainly did not act).
	Attempts int
	// RetryGaveUp is set when the last failure was one that is retried, but
	// the attempts or the time budget ran out (or Retry-After asked for a
	// wait beyond it).
	RetryGaveUp bool
	// ContentType, BodySize and Fields describe an answer that could not be
	// used (KindInvalidResponse): its Content-Type, its size in bytes and
	// the top-level field names that could be read. The body itself is
	// never kept, since a success answer carries credentials.
	ContentType string
	BodySize    int
	Fields      []string

	kind        ErrorKind
	emptyAnswer bool // a success status with an empty body
}

// Is makes errors.Is(err, ErrNotSent) and errors.Is(err, ErrAnswerLost) work.
func (e *RegistrationError) Is(target error) bool {
	return (target == ErrNotSent && e.Delivery == DeliveryNotSent) ||
		(target == ErrAnswerLost && e.Delivery == DeliveryAnswerLost)
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
	return e.Status == 0 && e.Kind() == KindTransport && e.Delivery != DeliveryNotSent
}

// AnswerLost reports a request that reached the server with no answer
// arriving (a broken connection, a timeout): the server may have acted.
func (e *RegistrationError) AnswerLost() bool { return e.Delivery == DeliveryAnswerLost }

// NotSent reports a request that certainly did not reach the server.
func (e *RegistrationError) NotSent() bool { return e.Delivery == DeliveryNotSent }

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
		fmt.Fprintf(&b, ": %s", e.answerStatus())
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
		var b strings.Builder
		switch e.Delivery {
		case DeliveryNotSent:
			b.WriteString("Not sent: the request did not reach the server")
		case DeliveryAnswerLost:
			if e.TimedOut {
				b.WriteString("Answer lost: the request was sent, but no answer arrived in time")
			} else {
				b.WriteString("Answer lost: the request was sent, but the connection broke before the answer arrived")
			}
		default:
			b.WriteString("No answer")
		}
		if e.Err != nil {
			b.WriteString(": " + e.Err.Error())
		}
		b.WriteString(".")
		e.writeAttempts(&b)
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s answered %s", e.Method, e.URL, e.answerStatus())
	if e.Code != "" {
		fmt.Fprintf(&b, ", error %q", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	b.WriteString(".")
	if e.Kind() == KindInvalidResponse {
		fmt.Fprintf(&b, "\nThe answer could not be used (%s); it is not shown, since a success answer carries credentials.",
			DescribeBody(e.ContentType, e.BodySize, e.Fields))
	} else if e.Body != "" && (e.Code == "" || e.Kind() == KindOther) {
		fmt.Fprintf(&b, "\nResponse body (credentials redacted): %s", e.Body)
	}
	if e.Err != nil && e.Kind() != KindOther {
		fmt.Fprintf(&b, "\n%v", e.Err)
	}
	e.writeAttempts(&b)
	return b.String()
}

func (e *RegistrationError) writeAttempts(b *strings.Builder) {
	switch {
	case e.Attempts > 1 && e.RetryGaveUp:
		fmt.Fprintf(b, "\nSent %d times (the server did not act on the earlier attempts); gave up within the time and attempt budget.", e.Attempts)
	case e.Attempts > 1:
		fmt.Fprintf(b, "\nSent %d times (the server did not act on the earlier attempts).", e.Attempts)
	case e.RetryGaveUp:
		b.WriteString("\nNot sent again: the wait the server asked for (Retry-After) or the attempts exceed the budget.")
	}
}

// keycloakPolicy matches Keycloak's "Policy 'Trusted Hosts' rejected request to client-registration service. Details: ...".
var keycloakPolicy = regexp.MustCompile(`(?i)policy\s+'([^']+)'\s+rejected`)

func newRegistrationError(base RegistrationError, resp *response, token string) *RegistrationError {
	e := base
	e.Status = resp.Status
	e.Delivery = DeliveryAnswered
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
	e.RetryAfter = sanitize(resp.Header.Get("Retry-After"), 100)
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

// redactBody renders an error answer's body for a message: credentials
// removed whatever its shape (by field name, and by the value of the token
// sent), then shortened. A body that is JSON is re-encoded with credential
// fields replaced; anything else goes through RedactText, so a cut-short
// or HTML body cannot carry a credential through either.
func redactBody(body []byte, token string) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		return RedactText(sanitize(RedactText(RedactJSON(body), token), 2000), token)
	}
	// Only the start is shown: redact no more than that (a secret cut in
	// two at the end is caught by RedactText's tail rule).
	if len(body) > 8192 {
		body = body[:8192]
	}
	return RedactText(sanitize(RedactText(string(body), token), 500), token)
}

func maskSecret(s, secret string) string {
	if secret == "" || s == "" {
		return s
	}
	return RedactText(s, secret)
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
