package installtest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

// What tools/install-test.sh passes in.
const (
	envDist      = "MCP_RELEASE_DIST"      // GoReleaser's dist folder of a snapshot
	envTerraform = "MCP_INSTALL_TERRAFORM" // path of a terraform binary, optional
	envTofu      = "MCP_INSTALL_TOFU"      // path of a tofu binary, optional
)

const (
	projectName = "terraform-provider-mcp"
	// The throwaway public key tools/release.sh exports beside the artifacts.
	signingKeyFile = "snapshot-signing-key.asc"
	// What both CLIs say when a package does not match the lock file.
	lockMismatch = "doesn't match any of the checksums previously recorded in the dependency lock file"
)

// cliUnderTest is a Terraform-compatible CLI and the registry host that the
// short source address "mcp-oauth/mcp" means to it.
type cliUnderTest struct {
	name, path, host string
}

// release is a snapshot's dist folder.
type release struct {
	dir     string
	version string
	// sumsFile is terraform-provider-mcp_VERSION_SHA256SUMS; sums its
	// entries, file name to lower-case hex SHA-256.
	sumsFile string
	sums     map[string]string
}

func (r *release) zipName(platform string) string {
	return fmt.Sprintf("%s_%s_%s.zip", projectName, r.version, platform)
}

func TestInstallFromReleaseArtifacts(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("install test: needs TF_ACC=1 and release artifacts; tools/install-test.sh (make test) sets both")
	}
	rel := loadRelease(t)
	clis := clisFromEnv(t)
	platform := runtime.GOOS + "_" + runtime.GOARCH
	zipName := rel.zipName(platform)
	zipPath := filepath.Join(rel.dir, zipName)
	keyFile := filepath.Join(rel.dir, signingKeyFile)

	t.Run("signature", func(t *testing.T) {
		wantFpr := keyFingerprint(t, keyFile)
		fpr, err := gpgVerify(keyFile, rel.sumsFile+".sig", rel.sumsFile)
		if err != nil {
			t.Fatalf("the signature of %s does not verify with the snapshot key: %v", filepath.Base(rel.sumsFile), err)
		}
		if fpr != wantFpr {
			t.Fatalf("signed by key %s, want the snapshot key %s", fpr, wantFpr)
		}
		// A SHA256SUMS changed after signing must not verify.
		tampered := filepath.Join(t.TempDir(), filepath.Base(rel.sumsFile))
		b := mustRead(t, rel.sumsFile)
		b = bytes.Replace(b, []byte(rel.sums[zipName]), []byte(flipHex(rel.sums[zipName])), 1)
		mustWrite(t, tampered, b)
		if _, err := gpgVerify(keyFile, rel.sumsFile+".sig", tampered); err == nil {
			t.Fatal("a tampered SHA256SUMS verified against the original signature")
		}
	})

	t.Run("checksums", func(t *testing.T) {
		manifest := fmt.Sprintf("%s_%s_manifest.json", projectName, rel.version)
		for _, want := range []string{zipName, manifest} {
			if _, ok := rel.sums[want]; !ok {
				t.Errorf("%s does not list %s", filepath.Base(rel.sumsFile), want)
			}
		}
		for name := range rel.sums {
			if err := rel.verify(name, filepath.Join(rel.dir, name)); err != nil {
				t.Error(err)
			}
		}
		var m struct {
			Version  int `json:"version"`
			Metadata struct {
				ProtocolVersions []string `json:"protocol_versions"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(mustRead(t, filepath.Join(rel.dir, manifest)), &m); err != nil {
			t.Fatalf("%s: %v", manifest, err)
		}
		if m.Version != 1 || !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
			t.Errorf("%s = %+v, want version 1 and protocol_versions [6.0]", manifest, m)
		}
	})

	t.Run("zip_content", func(t *testing.T) {
		zr, err := zip.OpenReader(zipPath)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		// The CLIs run terraform-provider-TYPE_vVERSION; the registries want
		// nothing else in the zip.
		want := projectName + "_v" + rel.version
		if len(zr.File) != 1 || zr.File[0].Name != want {
			var names []string
			for _, f := range zr.File {
				names = append(names, f.Name)
			}
			t.Fatalf("zip holds %q, want only %q", names, want)
		}
		if zr.File[0].Mode()&0o111 == 0 {
			t.Errorf("%s is not executable in the zip (mode %v)", want, zr.File[0].Mode())
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			t.Fatal(err)
		}
		bin, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		// -X main.version puts the version string into the binary.
		if !bytes.Contains(bin, []byte(rel.version)) {
			t.Errorf("the binary does not contain its version %q: was -X main.version set?", rel.version)
		}
	})

	env := startServers(t)

	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			t.Run("init_without_lock_then_plan", func(t *testing.T) {
				ws := newWorkspace(t, c, rel, zipPath, zipName)
				ws.writeDiscoveryConfig(t, env)
				out, err := ws.run("init", "-input=false", "-no-color")
				if err != nil {
					t.Fatalf("%s init: %v\n%s", c.name, err, out)
				}
				if strings.Contains(strings.ToLower(out), "development overrides") {
					t.Fatalf("%s init used dev_overrides:\n%s", c.name, out)
				}
				// From a mirror the CLIs record the h1 hash of the package's
				// content; it must be that of the zip SHA256SUMS lists.
				wantH1, err := hashZipH1(zipPath)
				if err != nil {
					t.Fatal(err)
				}
				got := ws.lockHashes(t)
				if !slices.Contains(got, wantH1) {
					t.Fatalf("lock file hashes %q do not contain %s, the h1 hash of %s", got, wantH1, zipName)
				}
				ws.planDiscovery(t, env)
				t.Logf("%s init:\n%s", c.name, out)
			})

			t.Run("init_with_lock_from_SHA256SUMS", func(t *testing.T) {
				// What `init` against a registry writes: a zh: hash per
				// platform from the signed SHA256SUMS. Installing from the
				// mirror must match it and add the h1 hash.
				ws := newWorkspace(t, c, rel, zipPath, zipName)
				zh := rel.zipHashes()
				ws.writeLock(t, zh)
				out, err := ws.run("init", "-input=false", "-no-color")
				if err != nil {
					t.Fatalf("%s init with the lock file from SHA256SUMS: %v\n%s", c.name, err, out)
				}
				wantH1, err := hashZipH1(zipPath)
				if err != nil {
					t.Fatal(err)
				}
				got := ws.lockHashes(t)
				for _, h := range append(zh, wantH1) {
					if !slices.Contains(got, h) {
						t.Errorf("lock file after init lacks %s; it has %q", h, got)
					}
				}
				out, err = ws.run("validate", "-no-color")
				if err != nil {
					t.Fatalf("%s validate after init: %v\n%s", c.name, err, out)
				}
			})

			t.Run("corrupted_zip_fails", func(t *testing.T) {
				ws := newWorkspace(t, c, rel, zipPath, zipName)
				corrupted := mustRead(t, ws.mirrorZip)
				corrupted[len(corrupted)/2] ^= 0xff // a byte in the middle of the compressed binary
				mustWrite(t, ws.mirrorZip, corrupted)
				if err := rel.verify(zipName, ws.mirrorZip); err == nil {
					t.Fatal("the corrupted zip still matches SHA256SUMS")
				}
				// With the lock file a registry install writes: refused
				// because of the checksum.
				ws.writeLock(t, rel.zipHashes())
				out, err := ws.run("init", "-input=false", "-no-color")
				if err == nil {
					t.Fatalf("%s init installed a corrupted zip:\n%s", c.name, out)
				}
				if !strings.Contains(oneLine(out), lockMismatch) {
					t.Fatalf("%s init failed, but not on the checksum:\n%s", c.name, out)
				}
				// Without a lock file: the zip no longer unpacks.
				ws2 := newWorkspace(t, c, rel, zipPath, zipName)
				ws2.writeConfig(t, "")
				mustWrite(t, ws2.mirrorZip, corrupted)
				out, err = ws2.run("init", "-input=false", "-no-color")
				if err == nil {
					t.Fatalf("%s init without a lock file installed a corrupted zip:\n%s", c.name, out)
				}
				if !strings.Contains(out, "Failed to install provider") {
					t.Fatalf("%s init without a lock file failed, but not installing the provider:\n%s", c.name, out)
				}
				t.Logf("%s init of the corrupted zip without a lock file failed as it should:\n%s", c.name, lastLines(out, 6))
			})

			t.Run("wrong_checksum_fails", func(t *testing.T) {
				ws := newWorkspace(t, c, rel, zipPath, zipName)
				zh := rel.zipHashes()
				for i, h := range zh {
					if h == "zh:"+rel.sums[zipName] {
						zh[i] = "zh:" + flipHex(rel.sums[zipName])
					}
				}
				ws.writeLock(t, zh)
				out, err := ws.run("init", "-input=false", "-no-color")
				if err == nil {
					t.Fatalf("%s init accepted a zip whose checksum differs from the lock file:\n%s", c.name, out)
				}
				if !strings.Contains(oneLine(out), lockMismatch) {
					t.Fatalf("%s init failed, but not on the checksum:\n%s", c.name, out)
				}
			})
		})
	}
}

// ---- release artifacts ----

func loadRelease(t *testing.T) *release {
	t.Helper()
	dir := os.Getenv(envDist)
	if dir == "" {
		t.Fatalf("%s is not set: run tools/install-test.sh, which builds the artifacts with GoReleaser", envDist)
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(mustRead(t, filepath.Join(dir, "metadata.json")), &meta); err != nil {
		t.Fatalf("%s/metadata.json: %v", dir, err)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`).MatchString(meta.Version) {
		t.Fatalf("version %q is not a semantic version the CLIs accept", meta.Version)
	}
	rel := &release{
		dir:      dir,
		version:  meta.Version,
		sumsFile: filepath.Join(dir, fmt.Sprintf("%s_%s_SHA256SUMS", projectName, meta.Version)),
		sums:     map[string]string{},
	}
	for line := range strings.SplitSeq(strings.TrimSpace(string(mustRead(t, rel.sumsFile))), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("%s: malformed line %q", filepath.Base(rel.sumsFile), line)
		}
		rel.sums[name] = sum
	}
	return rel
}

// verify checks path against the SHA256SUMS entry for name.
func (r *release) verify(name, path string) error {
	want, ok := r.sums[name]
	if !ok {
		return fmt.Errorf("%s is not listed in SHA256SUMS", name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("%s: SHA-256 %s, SHA256SUMS says %s", name, got, want)
	}
	return nil
}

// zipHashes are the lock file hashes of every platform's zip, as a registry
// reports them from SHA256SUMS.
func (r *release) zipHashes() []string {
	var hs []string
	for name, sum := range r.sums {
		if strings.HasSuffix(name, ".zip") {
			hs = append(hs, "zh:"+sum)
		}
	}
	slices.Sort(hs)
	return hs
}

// hashZipH1 computes the "h1:" hash the CLIs record for a provider package:
// SHA-256 over the sorted lines "<hex SHA-256 of the file>  <name>\n" of the
// files it unpacks to, base64-encoded (Go's dirhash Hash1). Computed here
// independently, from the zip SHA256SUMS lists.
func hashZipH1(path string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", err
	}
	defer zr.Close()
	type entry struct{ name, sum string }
	var entries []entry
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		h := sha256.New()
		_, err = io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return "", err
		}
		entries = append(entries, entry{f.Name, hex.EncodeToString(h.Sum(nil))})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	summary := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(summary, "%s  %s\n", e.sum, e.name)
	}
	return "h1:" + base64.StdEncoding.EncodeToString(summary.Sum(nil)), nil
}

// ---- gpg ----

// gpgVerify checks a detached signature with keyFile as the only known key
// and returns the fingerprint of the key that made it.
func gpgVerify(keyFile, sigFile, file string) (string, error) {
	home, err := gpgHome()
	if err != nil {
		return "", err
	}
	defer cleanGPGHome(home)
	if out, err := exec.Command("gpg", "--batch", "--homedir", home, "--import", keyFile).CombinedOutput(); err != nil {
		return "", fmt.Errorf("gpg --import: %w\n%s", err, out)
	}
	var status, stderr bytes.Buffer
	cmd := exec.Command("gpg", "--batch", "--homedir", home, "--status-fd", "1", "--verify", sigFile, file)
	cmd.Stdout, cmd.Stderr = &status, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("gpg --verify: %w\n%s", err, stderr.String())
	}
	for line := range strings.SplitSeq(status.String(), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "[GNUPG:]" && f[1] == "VALIDSIG" {
			return f[2], nil
		}
	}
	return "", fmt.Errorf("gpg --verify reported no valid signature:\n%s", status.String())
}

// keyFingerprint is the fingerprint of the (single) key in an armored file.
func keyFingerprint(t *testing.T, keyFile string) string {
	t.Helper()
	home, err := gpgHome()
	if err != nil {
		t.Fatal(err)
	}
	defer cleanGPGHome(home)
	out, err := exec.Command("gpg", "--batch", "--homedir", home, "--with-colons",
		"--import-options", "show-only", "--import", keyFile).Output()
	if err != nil {
		t.Fatalf("gpg cannot read %s: %v", keyFile, err)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if f := strings.Split(line, ":"); len(f) > 9 && f[0] == "fpr" {
			return f[9]
		}
	}
	t.Fatalf("no fingerprint in %s", keyFile)
	return ""
}

// gpgHome is an empty GNUPGHOME with a short path (gpg's sockets live in it).
func gpgHome() (string, error) {
	home, err := os.MkdirTemp("", "gpg")
	if err != nil {
		return "", err
	}
	return home, os.Chmod(home, 0o700)
}

func cleanGPGHome(home string) {
	_ = exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run()
	_ = os.RemoveAll(home)
}

// ---- servers ----

type servers struct {
	hydra *testenv.Hydra
	mcp   *testenv.MCPServer
}

// startServers starts Ory Hydra and the MCP server, which names Hydra as its
// authorization server: a discovery that follows the whole chain against
// real servers, without the minute a Keycloak takes to start.
func startServers(t *testing.T) *servers {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	logDir := t.TempDir()
	h, err := testenv.StartHydra(ctx, testenv.HydraOptions{LogDir: logDir})
	if err != nil {
		t.Fatalf("starting Ory Hydra: %v", err)
	}
	t.Cleanup(func() { _ = h.Stop() })
	m, err := testenv.StartMCPServer(ctx, testenv.MCPServerOptions{
		AuthorizationServers: []string{h.Issuer()},
		LogDir:               logDir,
	})
	if err != nil {
		t.Fatalf("starting the MCP server: %v", err)
	}
	t.Cleanup(func() { _ = m.Stop() })
	return &servers{hydra: h, mcp: m}
}

// ---- CLI workspaces ----

func clisFromEnv(t *testing.T) []cliUnderTest {
	t.Helper()
	var clis []cliUnderTest
	if p := os.Getenv(envTerraform); p != "" {
		clis = append(clis, cliUnderTest{"terraform", p, "registry.terraform.io"})
	}
	if p := os.Getenv(envTofu); p != "" {
		clis = append(clis, cliUnderTest{"tofu", p, "registry.opentofu.org"})
	}
	if len(clis) == 0 {
		t.Fatalf("neither %s nor %s is set: nothing to install with", envTerraform, envTofu)
	}
	for _, c := range clis {
		if !filepath.IsAbs(c.path) {
			t.Fatalf("%s path %q must be absolute", c.name, c.path)
		}
	}
	return clis
}

// workspace is a configuration directory, a filesystem mirror holding the
// release zip in the packed layout, and a CLI configuration naming only
// that mirror (no dev_overrides, no registry).
type workspace struct {
	cli       cliUnderTest
	version   string
	dir       string
	rc        string
	mirrorZip string
}

func newWorkspace(t *testing.T, c cliUnderTest, rel *release, zipPath, zipName string) *workspace {
	t.Helper()
	root := t.TempDir()
	ws := &workspace{
		cli:     c,
		version: rel.version,
		dir:     filepath.Join(root, "config"),
		rc:      filepath.Join(root, "cli.tfrc"),
		// HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip
		mirrorZip: filepath.Join(root, "mirror", c.host, "mcp-oauth", "mcp", zipName),
	}
	if err := os.MkdirAll(filepath.Dir(ws.mirrorZip), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(ws.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, ws.mirrorZip, mustRead(t, zipPath))
	mustWrite(t, ws.rc, fmt.Appendf(nil, `provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["%s/mcp-oauth/mcp"]
  }
}
`, filepath.Join(root, "mirror"), c.host))
	return ws
}

// run runs the CLI in the workspace with an environment of its own: the
// workspace's CLI configuration and none of the caller's TF_* settings.
func (ws *workspace) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ws.cli.path, args...)
	cmd.Dir = ws.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TF_CLI_CONFIG_FILE="+ws.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (ws *workspace) writeConfig(t *testing.T, body string) {
	t.Helper()
	mustWrite(t, filepath.Join(ws.dir, "main.tf"), fmt.Appendf(nil, `terraform {
  required_providers {
    mcp = {
      source  = "mcp-oauth/mcp"
      version = %q
    }
  }
}
%s`, ws.version, body))
}

// writeLock writes a dependency lock file with the given hashes (and the
// minimal configuration it belongs to).
func (ws *workspace) writeLock(t *testing.T, hashes []string) {
	t.Helper()
	ws.writeConfig(t, "")
	var b strings.Builder
	fmt.Fprintf(&b, "provider %q {\n  version     = %q\n  constraints = %q\n  hashes = [\n",
		ws.cli.host+"/mcp-oauth/mcp", ws.version, ws.version)
	for _, h := range hashes {
		fmt.Fprintf(&b, "    %q,\n", h)
	}
	b.WriteString("  ]\n}\n")
	mustWrite(t, filepath.Join(ws.dir, ".terraform.lock.hcl"), []byte(b.String()))
}

var lockHashRE = regexp.MustCompile(`"((?:h1|zh):[^"]+)"`)

// lockHashes are the hashes the lock file records for the provider.
func (ws *workspace) lockHashes(t *testing.T) []string {
	t.Helper()
	lock := string(mustRead(t, filepath.Join(ws.dir, ".terraform.lock.hcl")))
	if !strings.Contains(lock, fmt.Sprintf("provider %q", ws.cli.host+"/mcp-oauth/mcp")) {
		t.Fatalf("the lock file has no entry for %s/mcp-oauth/mcp:\n%s", ws.cli.host, lock)
	}
	if !strings.Contains(lock, fmt.Sprintf("version     = %q", ws.version)) {
		t.Fatalf("the lock file does not pin version %s:\n%s", ws.version, lock)
	}
	var hs []string
	for _, m := range lockHashRE.FindAllStringSubmatch(lock, -1) {
		hs = append(hs, m[1])
	}
	return hs
}

// writeDiscoveryConfig writes a configuration that discovers the MCP
// server's authorization server and feeds its registration endpoint to a
// client.
func (ws *workspace) writeDiscoveryConfig(t *testing.T, env *servers) {
	t.Helper()
	ws.writeConfig(t, fmt.Sprintf(`
data "mcp_oauth_discovery" "server" {
  server_url = %q
}

resource "mcp_dynamic_client" "agent" {
  registration_endpoint = data.mcp_oauth_discovery.server.registration_endpoint
  client_name           = "install test"
  redirect_uris         = ["http://127.0.0.1:8888/callback"]
  grant_types           = ["authorization_code"]
  scope                 = data.mcp_oauth_discovery.server.scope
}

output "authorization_server" {
  value = data.mcp_oauth_discovery.server.authorization_server
}

output "registration_endpoint" {
  value = data.mcp_oauth_discovery.server.registration_endpoint
}
`, env.mcp.URL))
}

// planDiscovery plans the configuration of writeDiscoveryConfig and checks
// what the plan says came back from the servers.
func (ws *workspace) planDiscovery(t *testing.T, env *servers) {
	t.Helper()
	out, err := ws.run("plan", "-input=false", "-no-color", "-out=tfplan")
	if err != nil {
		t.Fatalf("%s plan: %v\n%s", ws.cli.name, err, out)
	}
	t.Logf("%s plan:\n%s", ws.cli.name, out)
	js, err := ws.run("show", "-json", "tfplan")
	if err != nil {
		t.Fatalf("%s show -json: %v\n%s", ws.cli.name, err, js)
	}
	var plan struct {
		PlannedValues struct {
			Outputs map[string]struct {
				Value any `json:"value"`
			} `json:"outputs"`
		} `json:"planned_values"`
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string       `json:"actions"`
				After   map[string]any `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(js), &plan); err != nil {
		t.Fatalf("%s show -json: %v\n%s", ws.cli.name, err, js)
	}
	for name, want := range map[string]string{
		"authorization_server":  env.hydra.Issuer(),
		"registration_endpoint": env.hydra.RegistrationEndpoint(),
	} {
		if got := plan.PlannedValues.Outputs[name].Value; got != want {
			t.Errorf("output %s = %v, want %s (from the real servers)", name, got, want)
		}
	}
	if len(plan.ResourceChanges) != 1 || plan.ResourceChanges[0].Address != "mcp_dynamic_client.agent" ||
		!slices.Equal(plan.ResourceChanges[0].Change.Actions, []string{"create"}) {
		t.Errorf("resource changes = %+v, want mcp_dynamic_client.agent to be created", plan.ResourceChanges)
	} else if got := plan.ResourceChanges[0].Change.After["registration_endpoint"]; got != env.hydra.RegistrationEndpoint() {
		t.Errorf("planned registration_endpoint = %v, want %s", got, env.hydra.RegistrationEndpoint())
	}
}

// ---- small helpers ----

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// flipHex changes the first hex digit of a checksum.
func flipHex(sum string) string {
	if sum == "" {
		return sum
	}
	c := byte('0')
	if sum[0] == '0' {
		c = '1'
	}
	return string(c) + sum[1:]
}

// oneLine joins the CLI's wrapped lines so a message can be searched.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
