package testenv

import (
	"archive/tar"
	"compress/gzip"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Keycloak version and realm used everywhere in the test environment.
const (
	KeycloakVersion       = "26.7.3"
	KeycloakRealm         = "mcp-oauth"
	KeycloakAdminUser     = "admin"
	KeycloakAdminPassword = "admin123"
	// DemoUser and DemoPassword are the realm's test user.
	DemoUser     = "mcpuser"
	DemoPassword = "password123"
	// DemoClientID and DemoClientSecret are the realm's pre-made
	// confidential client.
	DemoClientID     = "mcp-demo-client"
	DemoClientSecret = "mcp-demo-client-secret"
	// DefaultKeycloakHeap is JAVA_OPTS_KC_HEAP unless
	// MCP_TESTENV_KEYCLOAK_HEAP says otherwise.
	DefaultKeycloakHeap = "-Xms256m -Xmx768m"
	// DefaultKeycloakTimeout bounds the wait for /health/ready, unless
	// KeycloakOptions.Timeout or MCP_TESTENV_KEYCLOAK_TIMEOUT say otherwise.
	// Keycloak takes 30-90 s on two idle cores, several minutes on busy ones.
	DefaultKeycloakTimeout = 6 * time.Minute
)

const realmFileName = "mcp-oauth-realm.json"

// RealmJSON is the realm file imported at start (also mounted by
// docker-compose.yml). Client scopes, the audience mapper and the
// registration policy tweaks are applied after start by ConfigureRealm.
//
//go:embed mcp-oauth-realm.json
var RealmJSON []byte

// KeycloakOptions configures StartKeycloak. The zero value is fine for tests.
type KeycloakOptions struct {
	// Port is the HTTP port; 0 picks a free one.
	Port int
	// ManagementPort serves /health; 0 picks a free one.
	ManagementPort int
	// Hostname pins the URL Keycloak puts in tokens and metadata;
	// default http://127.0.0.1:PORT.
	Hostname string
	// HTTPHost is the address to bind; default 127.0.0.1.
	HTTPHost string
	// LogDir receives keycloak.log (or keycloak-PORT.log); default a
	// directory under the cache.
	LogDir string
	// Audience is the MCP resource URL that the mcp:read / mcp:write scopes
	// put into the access token's aud; default DefaultMCPResource. Change it
	// later with (*Keycloak).ConfigureRealm.
	Audience string
	// Timeout bounds the wait for readiness; default DefaultKeycloakTimeout
	// or $MCP_TESTENV_KEYCLOAK_TIMEOUT.
	Timeout time.Duration
	// Detach lets Keycloak outlive this program (for the CLI's `up`); the
	// parent-death kill that protects tests is then off.
	Detach bool
	// KeepDir keeps the per-instance copy of the distribution after Stop
	// (also $MCP_TESTENV_KEEP=1).
	KeepDir bool
	// TruststorePaths are PEM files of extra CAs Keycloak trusts for its own
	// outgoing requests (--truststore-paths), such as a TestCA whose
	// DocumentHost serves Client ID Metadata Documents.
	TruststorePaths []string
}

// Keycloak is a running (or attached) Keycloak with realm mcp-oauth.
type Keycloak struct {
	// BaseURL is the public base URL, e.g. http://127.0.0.1:PORT.
	BaseURL string
	// ManagementURL serves /health/ready, e.g. http://127.0.0.1:MPORT.
	ManagementURL string
	// Realm is "mcp-oauth".
	Realm string
	// LogFile is Keycloak's console log.
	LogFile string
	// Dir is the per-instance copy of the distribution.
	Dir string
	// Audience is what ConfigureRealm last set as the scopes' audience.
	Audience string
	// AdminUser and AdminPassword are the bootstrap admin in realm master.
	AdminUser, AdminPassword string
	// StartupTime is how long the start took until ready.
	StartupTime time.Duration

	proc    *process
	keepDir bool
}

// AttachKeycloak returns a handle on a Keycloak that already runs at baseURL
// (for example the docker-compose one) with the standard admin credentials.
// Its Stop does nothing.
func AttachKeycloak(baseURL string) *Keycloak {
	return &Keycloak{
		BaseURL:       strings.TrimRight(baseURL, "/"),
		Realm:         KeycloakRealm,
		AdminUser:     KeycloakAdminUser,
		AdminPassword: KeycloakAdminPassword,
	}
}

// Issuer is BaseURL + "/realms/mcp-oauth".
func (k *Keycloak) Issuer() string { return k.BaseURL + "/realms/" + k.Realm }

// RegistrationEndpoint is the RFC 7591 endpoint of the realm.
func (k *Keycloak) RegistrationEndpoint() string {
	return k.Issuer() + "/clients-registrations/openid-connect"
}

// TokenEndpoint is the realm's token endpoint.
func (k *Keycloak) TokenEndpoint() string {
	return k.Issuer() + "/protocol/openid-connect/token"
}

// Pid is the process group id, 0 for an attached Keycloak.
func (k *Keycloak) Pid() int {
	if k.proc == nil {
		return 0
	}
	return k.proc.Pid()
}

// Stop stops Keycloak (its whole process group) and removes the instance
// directory. Safe to call on nil and more than once.
func (k *Keycloak) Stop() error {
	if k == nil || k.proc == nil {
		return nil
	}
	err := stopOnce(&k.proc, 20*time.Second)
	if !k.keepDir && os.Getenv("MCP_TESTENV_KEEP") == "" && k.Dir != "" {
		if rerr := os.RemoveAll(filepath.Dir(k.Dir)); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// StartKeycloak starts Keycloak from the Maven Central distribution (fetched
// and unpacked into the cache once), imports realm mcp-oauth, waits for
// /health/ready and applies ConfigureRealm.
func StartKeycloak(ctx context.Context, opts KeycloakOptions) (*Keycloak, error) {
	const server = "keycloak"
	started := time.Now()
	dist, err := ensureKeycloakDist(ctx)
	if err != nil {
		return nil, err
	}
	if err := choosePorts(ctx, []string{server, server + " management interface"}, &opts.Port, &opts.ManagementPort); err != nil {
		return nil, err
	}
	if opts.Hostname == "" {
		opts.Hostname = "http://127.0.0.1:" + strconv.Itoa(opts.Port)
	}
	opts.Hostname = strings.TrimRight(opts.Hostname, "/")
	if opts.HTTPHost == "" {
		opts.HTTPHost = "127.0.0.1"
	}
	if opts.Audience == "" {
		opts.Audience = DefaultMCPResource
	}
	opts.LogDir = logDirOrDefault(opts.LogDir)
	logFile := filepath.Join(opts.LogDir, fmt.Sprintf("keycloak-%d.log", opts.Port))
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = durationFromEnv("MCP_TESTENV_KEYCLOAK_TIMEOUT", DefaultKeycloakTimeout)
	}

	// A writable copy of the distribution per instance: Keycloak writes its
	// H2 database and transaction logs under data/, and re-augments lib/quarkus
	// when build options differ.
	instRoot := filepath.Join(CacheDir(), "keycloak", "instances")
	if err := os.MkdirAll(instRoot, 0o755); err != nil {
		return nil, err
	}
	pruneKeycloakInstances(instRoot)
	inst, err := os.MkdirTemp(instRoot, fmt.Sprintf("%d-", opts.Port))
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(inst, "keycloak-"+KeycloakVersion)
	cleanup := func() { os.RemoveAll(inst) }
	if err := copyTree(ctx, dist, dir); err != nil {
		cleanup()
		return nil, fmt.Errorf("%s: copy distribution %s: %w", server, dist, err)
	}
	if err := restoreAugmentation(dist, dir); err != nil {
		cleanup()
		return nil, fmt.Errorf("%s: restore the saved build: %w", server, err)
	}
	importDir := filepath.Join(dir, "data", "import")
	if err := os.MkdirAll(importDir, 0o755); err != nil {
		cleanup()
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(importDir, realmFileName), RealmJSON, 0o644); err != nil {
		cleanup()
		return nil, err
	}

	heap := os.Getenv("MCP_TESTENV_KEYCLOAK_HEAP")
	if heap == "" {
		heap = DefaultKeycloakHeap
	}
	// The server must outlive ctx, which only bounds start-up: its lifetime
	// ends with Stop (or, detached, with `testenv down`), so it is not
	// tied to a cancellable context.
	cmd := exec.CommandContext(context.Background(), filepath.Join(dir, "bin", "kc.sh"), "start-dev",
		"--import-realm",
		"--http-host="+opts.HTTPHost,
		"--http-port="+strconv.Itoa(opts.Port),
		"--http-management-port="+strconv.Itoa(opts.ManagementPort),
		"--hostname="+opts.Hostname,
		"--health-enabled=true",
		// The experimental Client ID Metadata Document support: a build
		// option, part of the cached augmentation (see keycloakFeatures).
		"--features="+keycloakFeatures,
	)
	if len(opts.TruststorePaths) > 0 {
		cmd.Args = append(cmd.Args, "--truststore-paths="+strings.Join(opts.TruststorePaths, ","))
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"KC_BOOTSTRAP_ADMIN_USERNAME="+KeycloakAdminUser,
		"KC_BOOTSTRAP_ADMIN_PASSWORD="+KeycloakAdminPassword,
		"JAVA_OPTS_KC_HEAP="+heap,
	)
	proc, err := startProcess(server, cmd, logFile, opts.Detach)
	if err != nil {
		cleanup()
		return nil, startError(server, logFile, "check that Java 17+ is installed (`java -version`)", err)
	}
	_ = os.WriteFile(filepath.Join(inst, "pid"), []byte(strconv.Itoa(proc.Pid())+"\n"), 0o644)
	k := &Keycloak{
		BaseURL:       opts.Hostname,
		ManagementURL: "http://127.0.0.1:" + strconv.Itoa(opts.ManagementPort),
		Realm:         KeycloakRealm,
		LogFile:       logFile,
		Dir:           dir,
		AdminUser:     KeycloakAdminUser,
		AdminPassword: KeycloakAdminPassword,
		proc:          proc,
		keepDir:       opts.KeepDir,
	}
	if err := waitReady(ctx, proc, k.ManagementURL+"/health/ready", timeout); err != nil {
		_ = k.Stop() // best effort: the start-up error below is the one to report
		return nil, startError(server, logFile,
			"read the log; on a busy machine raise MCP_TESTENV_KEYCLOAK_TIMEOUT (e.g. 10m); "+
				"`java -version` must work; the ports must be free", err)
	}
	// The realm import finishes before readiness, but be tolerant of a
	// moment's lag before the realm answers.
	if err := k.ConfigureRealm(ctx, opts.Audience); err != nil {
		_ = k.Stop() // best effort: the start-up error below is the one to report
		return nil, startError(server, logFile, "the admin REST API refused the realm set-up; read the error above", err)
	}
	k.StartupTime = time.Since(started)
	saveAugmentation(ctx, dir, dist)
	return k, nil
}

// pruneKeycloakInstances removes instance copies left behind by runs that
// died without Stop: those whose recorded process is gone, or that never
// got a pid file and are older than an hour.
func pruneKeycloakInstances(root string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		b, err := os.ReadFile(filepath.Join(dir, "pid"))
		if err != nil {
			if st, err := os.Stat(dir); err == nil && time.Since(st.ModTime()) > time.Hour {
				os.RemoveAll(dir)
			}
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || !processAlive(pid) {
			os.RemoveAll(dir)
		}
	}
}

// KeycloakDistDir is where the unpacked distribution template lives.
func KeycloakDistDir() string {
	return filepath.Join(CacheDir(), "keycloak", "keycloak-"+KeycloakVersion)
}

// ensureKeycloakDist makes sure the unpacked distribution is in the cache,
// fetching the tar.gz from Maven Central with mvn when needed.
func ensureKeycloakDist(ctx context.Context) (string, error) {
	const server = "keycloak"
	dist := KeycloakDistDir()
	if fileExists(filepath.Join(dist, "bin", "kc.sh")) {
		return dist, nil
	}
	err := withLock(ctx, "keycloak-dist", func() error {
		if fileExists(filepath.Join(dist, "bin", "kc.sh")) {
			return nil
		}
		kcDir := filepath.Dir(dist)
		if err := os.MkdirAll(kcDir, 0o755); err != nil {
			return err
		}
		archive := filepath.Join(kcDir, "keycloak-quarkus-dist-"+KeycloakVersion+".tar.gz")
		logFile := filepath.Join(kcDir, "fetch.log")
		if !fileExists(archive) {
			if _, err := exec.LookPath("mvn"); err != nil {
				return fmt.Errorf("%s: the distribution %s is missing and mvn is not on PATH; install Maven (apt-get install maven) or download org.keycloak:keycloak-quarkus-dist:%s:tar.gz into %s", server, archive, KeycloakVersion, kcDir)
			}
			cmd := exec.CommandContext(ctx, "mvn", "-B", "-q",
				"org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy",
				"-Dartifact=org.keycloak:keycloak-quarkus-dist:"+KeycloakVersion+":tar.gz",
				"-DoutputDirectory="+kcDir)
			cmd.Dir = kcDir
			if err := runLogged(cmd, logFile); err != nil || !fileExists(archive) {
				if err == nil {
					err = errors.New("mvn finished but the archive is not there")
				}
				return startError(server, logFile, "check access to Maven Central (mvn settings, proxy) and retry; or place the tar.gz at "+archive, fmt.Errorf("fetch the distribution: %w", err))
			}
		}
		tmp, err := os.MkdirTemp(kcDir, "unpack-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := untarGz(archive, tmp); err != nil {
			return fmt.Errorf("%s: unpack %s: %w; delete the archive to fetch it again", server, archive, err)
		}
		if err := os.Rename(filepath.Join(tmp, "keycloak-"+KeycloakVersion), dist); err != nil {
			return fmt.Errorf("%s: unpack: %w", server, err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return dist, nil
}

// Quarkus' augmentation (the start-dev build, about 100 s) depends on the
// build options, among them the features. Each feature set keeps its
// augmented lib/quarkus beside the distribution, in augmentationDir, so
// instances skip the build and runs with other options (other branches of
// this repository share the cache) do not undo each other's.

// keycloakFeatures are the optional features every test Keycloak runs with.
const keycloakFeatures = "cimd"

// augmentedMarker marks a complete augmentation directory.
const augmentedMarker = ".mcp-testenv-dev-augmented"

// augmentationDir is where the start-dev build for keycloakFeatures is kept.
func augmentationDir(dist string) string {
	return filepath.Join(filepath.Dir(dist), "augmented-"+KeycloakVersion+"-features-"+keycloakFeatures)
}

// restoreAugmentation copies a saved build into an instance, if there is one.
func restoreAugmentation(dist, instance string) error {
	src := augmentationDir(dist)
	if !fileExists(filepath.Join(src, augmentedMarker)) {
		return nil
	}
	return copyRegularFiles(src, filepath.Join(instance, "lib", "quarkus"))
}

// saveAugmentation keeps an instance's lib/quarkus (built by start-dev) for
// later instances, once. Failures only cost time later, so they are ignored.
func saveAugmentation(ctx context.Context, instance, dist string) {
	dst := augmentationDir(dist)
	if fileExists(filepath.Join(dst, augmentedMarker)) {
		return
	}
	_ = withLock(ctx, "keycloak-dist", func() error {
		if fileExists(filepath.Join(dst, augmentedMarker)) {
			return nil
		}
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		if err := copyRegularFiles(filepath.Join(instance, "lib", "quarkus"), dst); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, augmentedMarker), []byte(time.Now().Format(time.RFC3339)+"\n"), 0o644)
	})
}

// copyRegularFiles copies the regular files of src into dst (not the marker),
// each through a temporary file and a rename.
func copyRegularFiles(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || e.Name() == augmentedMarker {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		tmp := filepath.Join(dst, "."+e.Name()+".tmp")
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// copyTree copies a directory with cp -a (fast, keeps modes and symlinks).
func copyTree(ctx context.Context, src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, "cp", "-a", src, dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// untarGz unpacks a .tar.gz into dir, refusing paths that escape it.
func untarGz(archive, dir string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return fmt.Errorf("unsafe path %q in archive", h.Name)
		}
		target := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o777|0o600)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, tr); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(h.Linkname, target); err != nil {
				return err
			}
		}
	}
}
