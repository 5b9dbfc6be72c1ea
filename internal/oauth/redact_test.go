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
