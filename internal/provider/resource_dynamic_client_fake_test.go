package provider

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAS is an in-test authorization server speaking RFC 7591 and RFC 7592
// with the habits of real ones: it generates ids and secrets, adds grant
// types and drops contacts (as Keycloak does), rotates the registration
// access token on every update (as Hydra and node-oidc-provider do), refuses
// client_secret in updates (as Hydra does), answers 401 for a deleted
// client's token, and can play a server without RFC 7592.
type fakeAS struct {
	t   *testing.T
	srv *httptest.Server

	mu           sync.Mutex
	clients      map[string]*fakeClient
	issued       []string // every secret value issued, for log checks
	noManagement bool     // no registration_client_uri; 405 on the client URI
	secretTTL    time.Duration
	requireIAT   bool
	putBodies    []map[string]any
	// dropPutReply applies a PUT (rotating the token) and then closes the
	// connection without answering, as when the answer is lost on the way.
	dropPutReply bool
	// dropPostReply registers the client and then closes the connection
	// without answering: a lost registration answer.
	dropPostReply bool
	// truncateReply cuts every success answer short, in the middle of the
	// registration access token (the secrets are in what is sent).
	truncateReply bool
	// dropGetReply rotates the token on a read (RFC 7592 allows it) and
	// closes the connection without answering: a lost read answer.
	dropGetReply bool
	// acceptStale accepts any registration access token the fake issued, as
	// after an administrator gave the client a token the state holds.
	acceptStale bool
	// manageStatus, when set, answers every request on a client URI with it.
	manageStatus  int
	registrations int
	// keycloakRewrites stores what Keycloak before 26.6 stores:
	// client_secret_basic when client_secret_post is asked, and "none" added
	// to response_types.
	keycloakRewrites bool
	// registerAuthMethod, when set, is the token_endpoint_auth_method
	// registered whatever was asked (as Keycloak before 26.6 does with none).
	registerAuthMethod string
}

type fakeClient struct {
	metadata map[string]any
	secret   string
	rat      string
	expires  int64
}

const (
	fakeIAT        = "iat-good-0123456789"
	fakeIATExpired = "iat-expired-0123456789"
)

func newFakeAS(t *testing.T) *fakeAS {
	t.Helper()
	f := &fakeAS{t: t, clients: map[string]*fakeClient{}, requireIAT: true}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /register", f.register)
	mux.HandleFunc("/register/{id}", f.manage)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAS) endpoint() string { return f.srv.URL + "/register" }

func (f *fakeAS) token(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	v := prefix + hex.EncodeToString(b)
	f.issued = append(f.issued, v)
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthErr(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// rewrite stores metadata the way the fake's "server" wants it.
func rewrite(md map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range md {
		out[k] = v
	}
	delete(out, "contacts") // not stored, like Keycloak
	gts := []string{}
	if l, ok := out["grant_types"].([]any); ok {
		for _, g := range l {
			gts = append(gts, g.(string))
		}
	}
	if !slices.Contains(gts, "refresh_token") {
		gts = append(gts, "refresh_token") // added, like Keycloak
	}
	out["grant_types"] = gts
	if _, ok := out["token_endpoint_auth_method"]; !ok {
		out["token_endpoint_auth_method"] = "client_secret_basic"
	}
	out["vendor_created_by"] = "fake" // a field of the server's own
	return out
}

// rewrite applies rewrite and, when asked, the older Keycloak habits.
func (f *fakeAS) rewrite(md map[string]any) map[string]any {
	out := rewrite(md)
	if !f.keycloakRewrites {
		return out
	}
	if out["token_endpoint_auth_method"] == "client_secret_post" {
		out["token_endpoint_auth_method"] = "client_secret_basic"
	}
	if l, ok := out["response_types"].([]any); ok && !slices.Contains(l, any("none")) {
		out["response_types"] = append(slices.Clone(l), "none")
	}
	return out
}

func (f *fakeAS) answer(id string, c *fakeClient, withSecret, withURI bool) map[string]any {
	out := map[string]any{}
	for k, v := range c.metadata {
		out[k] = v
	}
	out["client_id"] = id
	out["client_id_issued_at"] = 1700000000
	if withSecret && c.secret != "" {
		out["client_secret"] = c.secret
		out["client_secret_expires_at"] = c.expires
	}
	if !f.noManagement {
		out["registration_access_token"] = c.rat
		if withURI {
			out["registration_client_uri"] = f.srv.URL + "/register/" + id
		}
	}
	return out
}

func (f *fakeAS) register(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch tok := bearer(r); {
	case tok == fakeIATExpired:
		oauthErr(w, 401, "invalid_token", "Expired initial access token")
		return
	case tok == "" && f.requireIAT:
		oauthErr(w, 403, "insufficient_scope", "Policy 'Trusted Hosts' rejected request to client-registration service. Details: Host not trusted.")
		return
	case tok != "" && tok != fakeIAT:
		oauthErr(w, 401, "invalid_token", "Initial Access Token not found")
		return
	}
	var md map[string]any
	if err := json.NewDecoder(r.Body).Decode(&md); err != nil {
		oauthErr(w, 400, "invalid_client_metadata", "not JSON")
		return
	}
	if _, ok := md["client_id"]; ok {
		oauthErr(w, 400, "invalid_client_metadata", "client_id may not be set")
		return
	}
	if s, _ := md["scope"].(string); strings.Contains(s, "forbidden") {
		oauthErr(w, 403, "insufficient_scope", "Policy 'Allowed Client Scopes' rejected request to client-registration service. Details: Not permitted to use specified clientScope")
		return
	}
	if uris, _ := md["redirect_uris"].([]any); len(uris) > 0 {
		for _, u := range uris {
			if strings.HasPrefix(u.(string), "http://evil") {
				oauthErr(w, 400, "invalid_redirect_uri", "Invalid redirect_uri "+u.(string))
				return
			}
		}
	}
	id := "client-" + hex.EncodeToString([]byte{byte(len(f.clients) + 1)}) + "-" + f.token("")[:8]
	c := &fakeClient{metadata: f.rewrite(md), secret: f.token("secret-"), rat: f.token("rat-")}
	if f.registerAuthMethod != "" {
		c.metadata["token_endpoint_auth_method"] = f.registerAuthMethod
	}
	if f.secretTTL != 0 {
		c.expires = time.Now().Add(f.secretTTL).Unix()
	}
	f.clients[id] = c
	f.registrations++
	if f.dropPostReply {
		hijackClose(w)
		return
	}
	if f.truncateReply {
		body, _ := json.Marshal(f.answer(id, c, true, true))
		cut := strings.Index(string(body), c.rat) + len(c.rat)/2
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body[:cut])
		return
	}
	writeJSON(w, http.StatusCreated, f.answer(id, c, true, true))
}

func (f *fakeAS) manage(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noManagement {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if f.manageStatus != 0 {
		oauthErr(w, f.manageStatus, "not_found", "no such client")
		return
	}
	id := r.PathValue("id")
	c, ok := f.clients[id]
	stale := f.acceptStale && slices.Contains(f.issued, bearer(r))
	if !ok || (bearer(r) != c.rat && !stale) {
		// A deleted client's token is dead: 401, as real servers answer.
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The access token is invalid"`)
		oauthErr(w, 401, "invalid_token", "The requested OAuth 2.0 client does not exist or you provided incorrect credentials.")
		return
	}
	switch r.Method {
	case http.MethodGet:
		if f.dropGetReply {
			c.rat = f.token("rat-") // rotated by the read; the answer carrying it is lost
			hijackClose(w)
			return
		}
		writeJSON(w, 200, f.answer(id, c, true, true))
	case http.MethodPut:
		var md map[string]any
		if err := json.NewDecoder(r.Body).Decode(&md); err != nil {
			oauthErr(w, 400, "invalid_client_metadata", "not JSON")
			return
		}
		f.putBodies = append(f.putBodies, md)
		if md["client_id"] != id {
			oauthErr(w, 400, "invalid_request", "client_id missing or different")
			return
		}
		for _, k := range []string{"registration_access_token", "registration_client_uri", "client_id_issued_at", "client_secret_expires_at"} {
			if _, bad := md[k]; bad {
				oauthErr(w, 400, "invalid_request", k+" must not be sent")
				return
			}
		}
		if _, bad := md["client_secret"]; bad {
			oauthErr(w, 403, "forbidden", "It is not allowed to choose your own OAuth2 Client secret.")
			return
		}
		delete(md, "client_id")
		c.metadata = f.rewrite(md)
		if f.registerAuthMethod != "" {
			c.metadata["token_endpoint_auth_method"] = f.registerAuthMethod
		}
		if md["token_endpoint_auth_method"] == "none" && f.registerAuthMethod == "" {
			c.secret = "" // a public client has no secret any more
		}
		c.rat = f.token("rat-") // rotated
		if f.dropPutReply {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		// Like Hydra: the answer has neither the secret nor the client URI.
		writeJSON(w, 200, f.answer(id, c, false, false))
	case http.MethodDelete:
		delete(f.clients, id)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func hijackClose(w http.ResponseWriter) {
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		_ = conn.Close()
	}
}

// deleteAll removes every client, as an administrator would outside Terraform.
func (f *fakeAS) deleteAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clients = map[string]*fakeClient{}
}

func (f *fakeAS) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.clients)
}

func (f *fakeAS) secrets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.issued...)
}
