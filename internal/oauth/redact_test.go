package oauth

import (
	"net/http"
	"strings"
	"testing"
)

func TestRedactJSON(t *testing.T) {
	body := `{"client_id":"abc","client_secret":"s3cret","nested":{"registration_access_token":"rat-value","list":[{"access_token":"at-value"}]},"Refresh_Token":"rt-value"}`
	got := RedactJSON([]byte(body))
	for _, secret := range []string{"s3cret", "rat-value", "at-value", "rt-value"} {
		if strings.Contains(got, secret) {
			t.Errorf("redacted body still holds %q: %s", secret, got)
		}
	}
	if !strings.Contains(got, `"client_id":"abc"`) {
		t.Errorf("non-secret field lost: %s", got)
	}
	if strings.Count(got, Redacted) != 4 {
		t.Errorf("want 4 redactions, got %s", got)
	}
}

func TestRedactJSONNonJSONIsNotLogged(t *testing.T) {
	got := RedactJSON([]byte("client_secret=abc&x=y"))
	if strings.Contains(got, "abc") || !strings.Contains(got, "not logged") {
		t.Fatalf("non-JSON body must not be echoed: %q", got)
	}
	if RedactJSON(nil) != "" {
		t.Fatal("empty body should give empty string")
	}
}

func TestRedactHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Bearer tok-123")
	h.Set("Cookie", "session=abc")
	h.Set("Accept", "application/json")
	got := RedactHeaders(h)
	if got.Get("Authorization") != "Bearer "+Redacted {
		t.Errorf("Authorization = %q", got.Get("Authorization"))
	}
	if got.Get("Cookie") != Redacted {
		t.Errorf("Cookie = %q", got.Get("Cookie"))
	}
	if got.Get("Accept") != "application/json" {
		t.Errorf("Accept changed: %q", got.Get("Accept"))
	}
	if h.Get("Authorization") != "Bearer tok-123" {
		t.Error("RedactHeaders modified its input")
	}
}

func TestRedactTextShapes(t *testing.T) {
	secrets := []string{"S3CR3T", "R4T-value", "iat-sent-123"}
	for _, body := range []string{
		// The reproduction: a registration answer cut short.
		`{"client_id":"abc","client_secret":"S3CR3T","registration_access_token":"R4T-value","registration_client_uri":"http://127.0.0.1:1/reg/abc","redirect_uris":["x"`,
		`{"client_id":"abc","client_secret":"S3CR`,                // cut inside a secret
		`{"client_id":"abc","registration_access_token":"R4T-val`, // cut inside a key-named value
		`<html><body>client_secret=S3CR3T&registration_access_token=R4T-value</body></html>`,
		`{"clientSecret": "S3CR3T", "registrationAccessToken":'R4T-value'}`,
		`error: token iat-sent-123 expired`,
		`{"note":"S3CR3T"}`, // a known value under any key
		`{"a":"\u0053"}` + "S3CR3T",
	} {
		got := RedactText(body, secrets...)
		for _, s := range append(secrets, "S3CR", "R4T-val") {
			if strings.Contains(got, s) {
				t.Errorf("RedactText(%q) = %q still holds %q", body, got, s)
			}
		}
		if !strings.Contains(got, Redacted) {
			t.Errorf("RedactText(%q) = %q redacted nothing", body, got)
		}
	}
	// Not a credential: left alone.
	keep := `{"client_id":"abc","token_endpoint_auth_method":"client_secret_basic","client_secret_expires_at":0}`
	if got := RedactText(keep); got != keep {
		t.Errorf("RedactText changed a body without credentials: %q", got)
	}
}

func TestReadableFields(t *testing.T) {
	got := readableFields([]byte(`{"client_id":"abc","client_secret":"S3CR3T","redirect_uris":["x"`))
	want := "client_id,client_secret,redirect_uris (cut short)"
	if strings.Join(got, ",") != want {
		t.Errorf("readableFields = %v, want %s", got, want)
	}
	if got := readableFields([]byte(`<html>`)); got != nil {
		t.Errorf("readableFields(html) = %v", got)
	}
}

// FuzzRedactText: a known secret never comes through, whatever surrounds
// it, and a value after a credential key never comes through, even cut short.
func FuzzRedactText(f *testing.F) {
	f.Add(`{"client_id":"abc","client_secret":"`, "S3CR3T-0123", `","x":1}`)
	f.Add(`<html>`, "R4T-abcdefgh", `</html>`)
	f.Add(`token=`, "abc/def+ghi", `&x=y`)
	f.Add(`"registration_access_token" : "`, `a"b\c`, ``)
	f.Fuzz(func(t *testing.T, prefix, secret, suffix string) {
		if secret == "" {
			return
		}
		got := RedactText(prefix+secret+suffix, secret)
		if strings.Contains(got, secret) {
			t.Fatalf("RedactText let %q through: %q", secret, got)
		}
		// Key-based: a value cut short after a credential key.
		if len(secret) < 6 || strings.ContainsAny(secret, "\"\\") || strings.Contains(prefix, secret) ||
			strings.Contains(`"client_secret":"`+Redacted+withheld, secret) {
			return
		}
		got = RedactText(`{"client_secret":"` + secret)
		if strings.Contains(got, secret) {
			t.Fatalf("a value cut short after client_secret came through: %q", got)
		}
	})
}
