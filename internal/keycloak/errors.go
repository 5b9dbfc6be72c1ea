package keycloak

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/oauth"
)

// Op names what was being done when an Error happened.
type Op string

// Operations.
const (
	OpAdminToken                 Op = "admin token request"
	OpCreateInitialAccessToken   Op = "create initial access token"
	OpDeleteInitialAccessToken   Op = "delete initial access token"
	OpFindClient                 Op = "find client"
	OpNewRegistrationAccessToken Op = "new registration access token"
)

// Kind classifies an Error so callers can say what to do.
type Kind string

// Error kinds.
const (
	// KindUnreachable: no answer (network, TLS, transport policy).
	KindUnreachable Kind = "unreachable"
	// KindBadCredentials: the token endpoint refused the admin credentials.
	KindBadCredentials Kind = "bad_credentials"
	// KindRealmNotFound: the admin realm does not exist.
	KindRealmNotFound Kind = "realm_not_found"
	// KindForbidden: the admin is authenticated but lacks a role in the realm.
	KindForbidden Kind = "forbidden"
	// KindTokenRefused: the admin API refused the admin token (for example
	// an account of one realm calling another realm's API).
	KindTokenRefused Kind = "token_refused"
	// KindNotFound: the realm or object does not exist.
	KindNotFound Kind = "not_found"
	// KindUnexpected: any other answer.
	KindUnexpected Kind = "unexpected"
)

// Error is a failed admin operation with what the server said.
type Error struct {
	Op    Op
	URL   string
	Realm string
	// Status is the HTTP status; 0 when no answer came.
	Status int
	Kind   Kind
	// Code and Description are the OAuth error fields, or Keycloak's
	// errorMessage, or a short excerpt of the body.
	Code, Description string
	Err               error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "keycloak %s at %s", e.Op, e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if said := e.ServerSaid(); said != "" {
		b.WriteString(": " + said)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ServerSaid is the server's error in one line, or "".
func (e *Error) ServerSaid() string {
	switch {
	case e.Code != "" && e.Description != "":
		return e.Code + " (" + e.Description + ")"
	case e.Code != "":
		return e.Code
	default:
		return e.Description
	}
}

func newError(op Op, target string, reply *oauth.Reply) *Error {
	e := &Error{Op: op, URL: target, Status: reply.Status, Kind: KindUnexpected}
	var body struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		ErrorMessage     string `json:"errorMessage"`
	}
	if json.Unmarshal(reply.Body, &body) == nil {
		e.Code = clip(body.Error, 200)
		e.Description = clip(body.ErrorDescription, 500)
		if e.Description == "" {
			e.Description = clip(body.ErrorMessage, 500)
		}
	}
	if e.Code == "" && e.Description == "" && len(reply.Body) > 0 && !strings.Contains(strings.ToLower(reply.Header.Get("Content-Type")), "html") {
		// Never echo a body that might carry a secret: only error answers
		// get here, and only a short excerpt of them.
		e.Description = clip(oauth.RedactJSON(reply.Body), 300)
	}
	return e
}

func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}
