package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Secrets a faulty server puts in its answers, and the token the client sends.
const (
	faultSecret = "S3CR3T-client-secret-value"
	faultRAT    = "R4T-registration-access-token"
	faultSent   = "SENT-bearer-token-value"
)

// faultBodies are 2xx answers that cannot be used, each holding the secrets.
func faultBodies(base string) map[string]struct {
	contentType string
	body        string
} {
	full := fmt.Sprintf(`{"client_id":"abc","client_secret":%q,"registration_access_token":%q,"registration_client_uri":"%s/reg/abc","note":%q,"redirect_uris":["x"`,
		faultSecret, faultRAT, base, "echo "+faultSent)
	return map[string]struct {
		contentType string
		body        string
	}{
		"truncated JSON":          {"application/json", full},
		"truncated inside secret": {"application/json", `{"client_id":"abc","client_secret":"` + faultSecret[:12]},
		"not JSON":                {"text/plain", "client_secret=" + faultSecret + "&registration_access_token=" + faultRAT + " " + faultSent},
		"HTML":                    {"text/html", "<html><body><pre>" + full + "</pre></body></html>"},
		"oversized JSON":          {"application/json", full + `],"pad":"` + strings.Repeat("p", 5000) + `"}`},
	}
}

// Every operation, answered 2xx with a body it cannot use: no secret in the
// error, in what it says the server said, or in the logged exchanges.
func TestUnusableAnswersLeakNoSecret(t *testing.T) {
	for _, op := range []string{OpRegister, OpRead, OpUpdate, OpDelete, "discovery"} {
		for name := range faultBodies("") {
			t.Run(op+"/"+name, func(t *testing.T) {
				var srvURL string
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					fb := faultBodies(srvURL)[name]
					w.Header().Set("Content-Type", fb.contentType)
					status := http.StatusOK
					if r.Method == http.MethodPost {
						status = http.StatusCreated
					}
					w.WriteHeader(status)
					_, _ = io.WriteString(w, fb.body)
				}))
				defer srv.Close()
				srvURL = srv.URL
				logger := &recordingLogger{}
				c, err := NewClient(Options{Logger: logger, MaxResponseBytes: 4096})
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				switch op {
				case OpRegister:
					_, err = c.RegisterClient(ctx, srv.URL, ClientMetadata{ClientName: "x"}, faultSent)
				case OpRead:
					_, err = c.ReadClient(ctx, srv.URL+"/reg/abc", faultSent)
				case OpUpdate:
					_, err = c.UpdateClient(ctx, srv.URL+"/reg/abc", faultSent, ClientUpdate{ClientID: "abc"})
				case OpDelete:
					// A delete's 2xx body is not read for meaning; it must still not leak.
					err = c.DeleteClient(ctx, srv.URL+"/reg/abc", faultSent)
				case "discovery":
					_, err = c.DiscoverServerMetadata(ctx, ServerMetadataRequest{Issuer: srv.URL})
				}
				texts := []string{}
				if err != nil {
					texts = append(texts, err.Error())
					var re *RegistrationError
					if errors.As(err, &re) {
						texts = append(texts, re.ServerSaid(), re.Body)
						if re.ResyncErr != nil {
							texts = append(texts, re.ResyncErr.Error())
						}
					}
				} else if op != OpDelete {
					t.Fatalf("an unusable answer was accepted")
				}
				for _, ex := range logger.exchanges {
					texts = append(texts, fmt.Sprint(ex.RequestHeaders), ex.RequestBody, fmt.Sprint(ex.ResponseHeaders), ex.ResponseBody, fmt.Sprint(ex.Err))
				}
				if len(logger.exchanges) == 0 {
					t.Fatal("nothing was logged: the search below would prove nothing")
				}
				all := strings.Join(texts, "\n")
				for _, s := range []string{faultSecret, faultRAT, faultSent, faultSecret[:12]} {
					if strings.Contains(all, s) {
						t.Errorf("%q leaked:\n%s", s, all)
					}
				}
				var re *RegistrationError
				if errors.As(err, &re) && re.Kind() == KindInvalidResponse && !strings.Contains(re.ServerSaid(), "bytes") {
					t.Errorf("an unusable answer must be described (type, size): %s", re.ServerSaid())
				}
			})
		}
	}
}

// Error answers cut short or in HTML are shown, with the secrets cut out.
func TestErrorAnswersOfAnyShapeAreRedacted(t *testing.T) {
	for _, body := range []string{
		`{"error":"invalid_token","error_description":"token ` + faultSent + ` refused","client_secret":"` + faultSecret,
		`<html><body>bad token ` + faultSent + ` registration_access_token=` + faultRAT + `</body></html>`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, body)
		}))
		c, _ := NewClient(Options{})
		_, err := c.ReadClient(context.Background(), srv.URL, faultSent)
		srv.Close()
		var re *RegistrationError
		if !errors.As(err, &re) {
			t.Fatalf("got %v", err)
		}
		all := err.Error() + re.ServerSaid()
		for _, s := range []string{faultSecret, faultRAT, faultSent} {
			if strings.Contains(all, s) {
				t.Errorf("%q leaked: %s", s, all)
			}
		}
		if !strings.Contains(re.ServerSaid(), Redacted) {
			t.Errorf("the body should be shown, redacted: %s", re.ServerSaid())
		}
	}
}
