package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newRegTestClient(t *testing.T, maxBody int64) *Client {
	t.Helper()
	c, err := NewClient(Options{MaxResponseBytes: maxBody})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serve answers every request with status, body and headers, and records the
// last request.
type recorded struct {
	method, auth string
	body         map[string]any
}

func serve(t *testing.T, status int, body string, hdr map[string]string, rec *recorded) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec != nil {
			rec.method, rec.auth = r.Method, r.Header.Get("Authorization")
			raw, _ := io.ReadAll(r.Body)
			rec.body = nil
			_ = json.Unmarshal(raw, &rec.body)
		}
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRegisterClientSuccess(t *testing.T) {
	var rec recorded
	srv := serve(t, 201, `{"client_id":"abc","client_secret":"s3cret","client_id_issued_at":1700000000.0,
		"client_secret_expires_at":"0","registration_access_token":"rat1","registration_client_uri":"http://x/reg/abc",
		"grant_types":["authorization_code","refresh_token"],"scope":["a","b"],"vendor":{"x":1}}`, nil, &rec)
	c := newRegTestClient(t, 0)
	md := ClientMetadata{RedirectURIs: []string{"http://127.0.0.1/cb"}, GrantTypes: []string{"authorization_code"},
		Extra: map[string]json.RawMessage{"vendor_field": json.RawMessage(`"v"`), "client_id": json.RawMessage(`"nope"`)}}
	ci, err := c.RegisterClient(context.Background(), srv.URL+"/reg", md, "iat")
	if err != nil {
		t.Fatal(err)
	}
	if rec.method != "POST" || rec.auth != "Bearer iat" {
		t.Errorf("request %s %q", rec.method, rec.auth)
	}
	if rec.body["vendor_field"] != "v" || rec.body["client_id"] != nil {
		t.Errorf("registration body %v: extra metadata must merge and client information fields must not be sent", rec.body)
	}
	if ci.ClientID != "abc" || ci.ClientSecret != "s3cret" || ci.ClientIDIssuedAt != 1700000000 || ci.ClientSecretExpiresAt != 0 ||
		ci.RegistrationAccessToken != "rat1" || ci.RegistrationClientURI != "http://x/reg/abc" || !ci.ManagementAvailable() {
		t.Errorf("client information %+v", ci)
	}
	if ci.Metadata.Scope != "a b" || len(ci.Metadata.GrantTypes) != 2 || string(ci.Metadata.Extra["vendor"]) != `{"x":1}` {
		t.Errorf("metadata %+v: unknown fields must be preserved", ci.Metadata)
	}
}

func TestRegisterClientNotRetried(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		w.WriteHeader(503)
	}))
	defer srv.Close()
	c, _ := NewClient(Options{Retries: 3})
	_, err := c.RegisterClient(context.Background(), srv.URL, ClientMetadata{}, "")
	if err == nil || calls != 1 {
		t.Fatalf("calls=%d err=%v: a registration POST must be sent exactly once", calls, err)
	}
}

func TestRegistrationErrors(t *testing.T) {
	kc := func(status int, code, desc string) string {
		b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
		return string(b)
	}
	tests := []struct {
		name   string
		op     string
		status int
		body   string
		hdr    map[string]string
		token  string
		kind   ErrorKind
		policy string
	}{
		{"iat not found", OpRegister, 401, kc(401, "invalid_token", "Initial Access Token not found"), nil, "tok-123456", KindIATInvalid, ""},
		{"iat expired", OpRegister, 401, kc(401, "invalid_token", "Expired initial access token"), nil, "tok-123456", KindIATExpired, ""},
		{"iat used up", OpRegister, 401, kc(401, "invalid_token", "No remaining count on initial access token"), nil, "tok-123456", KindIATUsedUp, ""},
		{"iat undecodable", OpRegister, 401, kc(401, "invalid_token", "Failed decode token"), nil, "tok-123456", KindIATInvalid, ""},
		{"no token", OpRegister, 401, `{}`, nil, "", KindIATMissing, ""},
		{"trusted hosts", OpRegister, 403, kc(403, "insufficient_scope", "Policy 'Trusted Hosts' rejected request to client-registration service. Details: Host not trusted."), nil, "", KindPolicyRefused, "Trusted Hosts"},
		{"allowed scopes", OpRegister, 403, kc(403, "insufficient_scope", "Policy 'Allowed Client Scopes' rejected request to client-registration service. Details: Not permitted"), nil, "tok-123456", KindPolicyRefused, "Allowed Client Scopes"},
		{"redirect", OpRegister, 400, kc(400, "invalid_redirect_uri", "bad"), nil, "tok-123456", KindInvalidRedirectURI, ""},
		{"metadata redirect", OpRegister, 400, kc(400, "invalid_client_metadata", "Invalid redirect uri"), nil, "tok-123456", KindInvalidRedirectURI, ""},
		{"metadata", OpRegister, 400, kc(400, "invalid_client_metadata", "bad grant"), nil, "tok-123456", KindInvalidClientMetadata, ""},
		{"software statement", OpRegister, 400, kc(400, "unapproved_software_statement", "no"), nil, "tok-123456", KindInvalidSoftwareStatement, ""},
		{"other shape", OpRegister, 422, `{"message":"name too long"}`, nil, "tok-123456", KindOther, ""},
		{"header only", OpRead, 401, ``, map[string]string{"WWW-Authenticate": `Bearer error="invalid_token", error_description="gone"`}, "tok-123456", KindUnauthorized, ""},
		{"read 403", OpRead, 403, `{"error":"forbidden"}`, nil, "tok-123456", KindOther, ""},
		{"read 404", OpRead, 404, ``, nil, "tok-123456", KindNotFound, ""},
		{"read 405", OpRead, 405, ``, nil, "tok-123456", KindManagementUnsupported, ""},
		{"delete 410", OpDelete, 410, ``, nil, "tok-123456", KindNotFound, ""},
		{"update 400", OpUpdate, 400, kc(400, "invalid_client_metadata", "x"), nil, "tok-123456", KindInvalidClientMetadata, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.status, tt.body, tt.hdr, nil)
			c := newRegTestClient(t, 0)
			var err error
			switch tt.op {
			case OpRegister:
				_, err = c.RegisterClient(context.Background(), srv.URL, ClientMetadata{}, tt.token)
			case OpRead:
				_, err = c.ReadClient(context.Background(), srv.URL, tt.token)
			case OpUpdate:
				_, err = c.UpdateClient(context.Background(), srv.URL, tt.token, ClientUpdate{ClientID: "id"})
			case OpDelete:
				err = c.DeleteClient(context.Background(), srv.URL, tt.token)
			}
			var re *RegistrationError
			if !errors.As(err, &re) {
				t.Fatalf("want *RegistrationError, got %v", err)
			}
			if re.Kind() != tt.kind || re.Policy != tt.policy || re.Status != tt.status {
				t.Errorf("kind %s policy %q status %d; want %s %q %d", re.Kind(), re.Policy, re.Status, tt.kind, tt.policy, tt.status)
			}
			if tt.token != "" && strings.Contains(re.ServerSaid()+re.Error(), "Bearer "+tt.token) {
				t.Errorf("the token leaked: %s", re.ServerSaid())
			}
		})
	}
}

func TestErrorBodyRedacted(t *testing.T) {
	srv := serve(t, 500, `{"client_secret":"leak","registration_access_token":"leak2"}`, nil, nil)
	_, err := newRegTestClient(t, 0).ReadClient(context.Background(), srv.URL, "tok")
	var re *RegistrationError
	if !errors.As(err, &re) || strings.Contains(re.ServerSaid(), "leak") {
		t.Fatalf("body not redacted: %v", err)
	}
}

func TestUpdateClientBodyAndRotation(t *testing.T) {
	var rec recorded
	srv := serve(t, 200, `{"client_id":"abc","registration_access_token":"rat2","scope":"a"}`, nil, &rec)
	md := ClientMetadata{Scope: "a", TokenEndpointAuthMethod: "none", Extra: map[string]json.RawMessage{
		"registration_access_token": json.RawMessage(`"old"`), "registration_client_uri": json.RawMessage(`"u"`),
		"client_id_issued_at": json.RawMessage(`1`), "client_secret_expires_at": json.RawMessage(`0`),
		"client_secret": json.RawMessage(`"s"`), "vendor": json.RawMessage(`true`),
	}}
	ci, err := newRegTestClient(t, 0).UpdateClient(context.Background(), srv.URL, "rat1", ClientUpdate{ClientID: "abc", Metadata: md})
	if err != nil {
		t.Fatal(err)
	}
	if rec.method != "PUT" || rec.auth != "Bearer rat1" {
		t.Errorf("request %s %q", rec.method, rec.auth)
	}
	for _, k := range []string{"registration_access_token", "registration_client_uri", "client_id_issued_at", "client_secret_expires_at", "client_secret"} {
		if _, ok := rec.body[k]; ok {
			t.Errorf("PUT body carries forbidden %s: %v", k, rec.body)
		}
	}
	if rec.body["client_id"] != "abc" || rec.body["token_endpoint_auth_method"] != "none" || rec.body["vendor"] != true {
		t.Errorf("PUT body lacks the full metadata: %v", rec.body)
	}
	if ci.RegistrationAccessToken != "rat2" {
		t.Errorf("rotated token not returned: %+v", ci)
	}
}

func TestUpdateKeepsClientIDWhenAnswerLacksIt(t *testing.T) {
	srv := serve(t, 200, `{"scope":"a"}`, nil, nil)
	ci, err := newRegTestClient(t, 0).UpdateClient(context.Background(), srv.URL, "t", ClientUpdate{ClientID: "abc"})
	if err != nil || ci.ClientID != "abc" {
		t.Fatalf("%v %+v", err, ci)
	}
}

func TestOversizedRegistrationAnswer(t *testing.T) {
	srv := serve(t, 201, `{"client_id":"`+strings.Repeat("x", 2048)+`"}`, nil, nil)
	_, err := newRegTestClient(t, 1024).RegisterClient(context.Background(), srv.URL, ClientMetadata{}, "")
	var re *RegistrationError
	if !errors.As(err, &re) || re.Kind() != KindInvalidResponse || !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("want invalid response wrapping ErrResponseTooLarge, got %v", err)
	}
	if re.Operation != OpRegister || !re.MayHaveBeenApplied() {
		t.Errorf("a register with an unusable 2xx answer may have created a client: op %s, MayHaveBeenApplied %v", re.Operation, re.MayHaveBeenApplied())
	}
}

func TestRegistrationAnswerWithoutClientID(t *testing.T) {
	srv := serve(t, 201, `{"client_secret":"x"}`, nil, nil)
	_, err := newRegTestClient(t, 0).RegisterClient(context.Background(), srv.URL, ClientMetadata{}, "")
	var re *RegistrationError
	if !errors.As(err, &re) || re.Kind() != KindInvalidResponse || strings.Contains(re.ServerSaid(), `"x"`) {
		t.Fatalf("got %v", err)
	}
}

func TestDeleteClient(t *testing.T) {
	var rec recorded
	srv := serve(t, 204, ``, nil, &rec)
	if err := newRegTestClient(t, 0).DeleteClient(context.Background(), srv.URL, "rat"); err != nil || rec.method != "DELETE" {
		t.Fatalf("%v %s", err, rec.method)
	}
}

func TestInsecureURLRefused(t *testing.T) {
	_, err := newRegTestClient(t, 0).RegisterClient(context.Background(), "http://sso.example.com/reg", ClientMetadata{}, "")
	if !errors.Is(err, ErrInsecureTransport) {
		t.Fatalf("got %v", err)
	}
}

func TestClientMetadataRoundTrip(t *testing.T) {
	in := `{"redirect_uris":[],"grant_types":"client_credentials","scope":"b a","jwks":{"keys":[]},"default_max_age":60,
		"require_auth_time":false,"contacts":null,"subject_type":7,"x_vendor":[1,2]}`
	var md ClientMetadata
	if err := json.Unmarshal([]byte(in), &md); err != nil {
		t.Fatal(err)
	}
	if md.RedirectURIs == nil || len(md.RedirectURIs) != 0 || len(md.GrantTypes) != 1 || md.Contacts != nil ||
		*md.DefaultMaxAge != 60 || *md.RequireAuthTime || string(md.Extra["subject_type"]) != "7" {
		t.Fatalf("decoded %+v", md)
	}
	out, err := json.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	_ = json.Unmarshal(out, &back)
	if _, ok := back["redirect_uris"]; !ok {
		t.Error("an explicitly empty list must be sent as []")
	}
	if back["subject_type"] != float64(7) || back["x_vendor"] == nil {
		t.Errorf("fields of an unexpected shape must round-trip: %s", out)
	}
}

func TestSemanticEquality(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	tests := []struct {
		name       string
		field      string
		a, b       json.RawMessage
		equal, sat bool
	}{
		{"scope order", "scope", raw(`"a b"`), raw(`"b  a a"`), true, true},
		{"scope differs", "scope", raw(`"a"`), raw(`"a b"`), false, false},
		{"set order", "redirect_uris", raw(`["x","y"]`), raw(`["y","x"]`), true, true},
		{"redirect added", "redirect_uris", raw(`["x"]`), raw(`["x","y"]`), false, false},
		{"grant types added by server", "grant_types", raw(`["authorization_code"]`), raw(`["refresh_token","authorization_code"]`), false, true},
		{"grant type lost", "grant_types", raw(`["client_credentials"]`), raw(`["authorization_code"]`), false, false},
		{"dropped by server", "contacts", raw(`["a@b"]`), nil, false, true},
		{"json formatting", "jwks", raw(`{"keys": [], "a":1}`), raw(`{"a":1,"keys":[]}`), true, true},
		{"auth method rewritten", "token_endpoint_auth_method", raw(`"client_secret_post"`), raw(`"client_secret_basic"`), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EqualMetadataValue(tt.field, tt.a, tt.b); got != tt.equal {
				t.Errorf("EqualMetadataValue = %v", got)
			}
			if got := SatisfiesMetadataValue(tt.field, tt.a, tt.b); got != tt.sat {
				t.Errorf("SatisfiesMetadataValue = %v", got)
			}
		})
	}
}

func FuzzDecodeClientInformation(f *testing.F) {
	for _, s := range []string{
		`{"client_id":"a","client_secret":"b","client_secret_expires_at":0,"registration_access_token":"t","registration_client_uri":"http://x"}`,
		`{"client_id":7,"scope":["a"],"grant_types":"x","jwks":{"keys":[]},"default_max_age":"1","extra":{"n":null}}`,
		`{"client_id_issued_at":1e300,"client_secret_expires_at":"-5"}`,
		`null`, `[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ci, err := DecodeClientInformation(body)
		if err != nil {
			return
		}
		if ci.ClientIDIssuedAt < 0 || ci.ClientSecretExpiresAt < 0 {
			t.Fatalf("negative timestamps: %+v", ci)
		}
		// Whatever decoded must encode again, and decode to the same metadata.
		out, err := json.Marshal(ci.Metadata)
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		var again ClientMetadata
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("decoding the re-encoded metadata %s: %v", out, err)
		}
		out2, _ := json.Marshal(again)
		if string(out) != string(out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}

// lostUpdateServer answers PUT as put says (hijack closes the connection
// after reading the request, as when the answer is lost) and GET with get.
type lostUpdateServer struct {
	methods []string
	auths   []string
}

func (l *lostUpdateServer) start(t *testing.T, put func(w http.ResponseWriter), getStatus int, getBody string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		l.methods = append(l.methods, r.Method)
		l.auths = append(l.auths, r.Header.Get("Authorization"))
		if r.Method == http.MethodPut {
			put(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(getStatus)
		_, _ = io.WriteString(w, getBody)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func hijackClose(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func TestUpdateEmptyAnswerIsSuccessFollowedByRead(t *testing.T) {
	var l lostUpdateServer
	url := l.start(t, func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }, 200,
		`{"client_id":"abc","registration_access_token":"rat2","client_name":"new"}`)
	ci, err := newRegTestClient(t, 0).UpdateClient(context.Background(), url, "rat1", ClientUpdate{ClientID: "abc"})
	if err != nil {
		t.Fatalf("a 204 to a PUT is a success: %v", err)
	}
	if strings.Join(l.methods, ",") != "PUT,GET" || l.auths[1] != "Bearer rat1" {
		t.Errorf("want PUT then GET with the same token, got %v %v", l.methods, l.auths)
	}
	if ci.RegistrationAccessToken != "rat2" || ci.Metadata.ClientName != "new" {
		t.Errorf("the read's answer must be returned: %+v", ci)
	}
}

func TestUpdateLostAnswerReadsBack(t *testing.T) {
	for _, tt := range []struct {
		name      string
		put       func(w http.ResponseWriter)
		getStatus int
		resynced  bool
	}{
		{"connection dropped, read works", hijackClose, 200, true},
		{"connection dropped, token rotated", hijackClose, 401, false},
		{"not JSON", func(w http.ResponseWriter) { w.WriteHeader(200); _, _ = io.WriteString(w, "<html>ok</html>") }, 200, true},
		{"empty, token rotated", func(w http.ResponseWriter) { w.WriteHeader(200) }, 401, false},
		{"oversized", func(w http.ResponseWriter) {
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"client_id":"abc","x":"`+strings.Repeat("x", 4096)+`"}`)
		}, 200, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var l lostUpdateServer
			url := l.start(t, tt.put, tt.getStatus, `{"client_id":"abc","registration_access_token":"rat2"}`)
			_, err := newRegTestClient(t, 1024).UpdateClient(context.Background(), url, "rat1", ClientUpdate{ClientID: "abc"})
			var re *RegistrationError
			if !errors.As(err, &re) || !re.MayHaveBeenApplied() {
				t.Fatalf("want an error that may have been applied, got %v", err)
			}
			if strings.Join(l.methods, ",") != "PUT,GET" || l.auths[1] != "Bearer rat1" {
				t.Errorf("want PUT then one GET with the same token, got %v", l.methods)
			}
			if tt.resynced {
				if re.Resynced == nil || re.Resynced.RegistrationAccessToken != "rat2" || re.ResyncErr != nil {
					t.Errorf("the read's answer must be kept: %+v %v", re.Resynced, re.ResyncErr)
				}
			} else {
				var readErr *RegistrationError
				if re.Resynced != nil || !errors.As(re.ResyncErr, &readErr) || readErr.Kind() != KindUnauthorized {
					t.Errorf("want the read's 401, got %+v %v", re.Resynced, re.ResyncErr)
				}
			}
		})
	}
}

func TestUpdateRefusedOrNotSentIsNotApplied(t *testing.T) {
	var l lostUpdateServer
	url := l.start(t, func(w http.ResponseWriter) {
		w.WriteHeader(400)
		_, _ = io.WriteString(w, `{"error":"invalid_client_metadata"}`)
	}, 200, `{}`)
	_, err := newRegTestClient(t, 0).UpdateClient(context.Background(), url, "rat1", ClientUpdate{ClientID: "abc"})
	var re *RegistrationError
	if !errors.As(err, &re) || re.MayHaveBeenApplied() || len(l.methods) != 1 {
		t.Fatalf("a refused PUT applied nothing and needs no read: %v %v", err, l.methods)
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	_, err = newRegTestClient(t, 0).UpdateClient(context.Background(), closedURL, "rat1", ClientUpdate{ClientID: "abc"})
	if !errors.As(err, &re) || re.Kind() != KindTransport || re.MayHaveBeenApplied() {
		t.Fatalf("a refused connection sent nothing: %v", err)
	}
}
