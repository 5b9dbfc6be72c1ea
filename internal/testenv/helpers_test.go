package testenv

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These run without TF_ACC: they start no real server.

func TestStartErrorNamesServerLogAndTail(t *testing.T) {
	log := filepath.Join(t.TempDir(), "x.log")
	var lines []string
	for i := 0; i < 50; i++ {
		lines = append(lines, "line "+string(rune('a'+i%26)))
	}
	lines = append(lines, "the last words")
	if err := os.WriteFile(log, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := startError("keycloak", log, "raise the timeout", errors.New("not ready"))
	for _, want := range []string{"keycloak: not ready", "log file: " + log, "what to do: raise the timeout", "the last words"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Count(err.Error(), "\n    ") > 30 {
		t.Errorf("tail too long:\n%v", err)
	}
}

func TestCheckPortFree(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := checkPortFree(t.Context(), "hydra", port); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("taken port: %v", err)
	}
	l.Close()
	if err := checkPortFree(t.Context(), "hydra", port); err != nil {
		t.Errorf("free port: %v", err)
	}
}

func TestUntarRejectsEscapingPaths(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "bad.tar.gz")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: "../evil", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []io.Closer{tw, gz, f} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := untarGz(archive, filepath.Join(dir, "out")); err == nil {
		t.Fatal("no error for ../evil")
	}
}

func TestProcessStopKillsGroup(t *testing.T) {
	// A shell whose child ignores SIGTERM: Stop must still leave nothing.
	cmd := exec.Command("sh", "-c", "trap '' TERM; sleep 300 & wait")
	p, err := startProcess("sleeper", cmd, filepath.Join(t.TempDir(), "s.log"), false)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // let the trap be set
	start := time.Now()
	if err := p.stop(500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if !groupGone(p.Pid()) {
		t.Fatal("process group survived stop")
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("stop took %s", time.Since(start))
	}
}

func TestRealmFile(t *testing.T) {
	var realm struct {
		Realm        string           `json:"realm"`
		ClientScopes []map[string]any `json:"clientScopes"`
		Components   map[string]any   `json:"components"`
		Users        []struct {
			Username      string `json:"username"`
			EmailVerified bool   `json:"emailVerified"`
			FirstName     string `json:"firstName"`
			LastName      string `json:"lastName"`
		} `json:"users"`
		Clients []struct {
			ClientID string `json:"clientId"`
			Secret   string `json:"secret"`
		} `json:"clients"`
	}
	if err := json.Unmarshal(RealmJSON, &realm); err != nil {
		t.Fatal(err)
	}
	if realm.Realm != KeycloakRealm {
		t.Errorf("realm %q", realm.Realm)
	}
	// Either would replace Keycloak's built-in scopes or default policies.
	if realm.ClientScopes != nil || realm.Components != nil {
		t.Error("the realm file must not carry clientScopes or components; ConfigureRealm adds what is needed")
	}
	if len(realm.Users) != 1 || realm.Users[0].Username != DemoUser || !realm.Users[0].EmailVerified ||
		realm.Users[0].FirstName == "" || realm.Users[0].LastName == "" {
		t.Errorf("users: %+v", realm.Users)
	}
	if len(realm.Clients) != 1 || realm.Clients[0].ClientID != DemoClientID || realm.Clients[0].Secret != DemoClientSecret {
		t.Errorf("clients: %+v", realm.Clients)
	}
}
