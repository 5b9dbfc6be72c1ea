package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/pluginserve"
	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

// allSubjects are the subjects in the order the report lists them.
var allSubjects = []string{"provider", "floor", "noop", "raw"}

// subjectTitles name the subjects in progress lines.
var subjectTitles = map[string]string{
	"provider": "provider", "floor": "framework floor", "noop": "terraform_data", "raw": "raw loop",
}

// subjectList is -subjects in report order; an unknown name is an error.
func (c config) subjectList() ([]string, error) {
	for _, s := range strings.Split(c.subjects, ",") {
		if _, ok := subjectTitles[strings.TrimSpace(s)]; !ok {
			return nil, fmt.Errorf("-subjects: unknown subject %q (provider, floor, noop, raw)", s)
		}
	}
	var out []string
	for _, s := range allSubjects {
		if c.wants(s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("-subjects names no subject")
	}
	return out, nil
}

// rotate returns xs starting at index k (modulo its length). Each
// repetition starts with another subject, so none always runs right after
// the same other one (on two cores, Keycloak's after-work from a destroy
// lands on whatever runs next).
func rotate(xs []string, k int) []string {
	k %= len(xs)
	return append(append([]string{}, xs[k:]...), xs[:k]...)
}

type phase struct {
	name string
	args []string
	vars map[string]string
	// want is the minimum set of requests the phase needs for n clients;
	// the benchmark fails when the provider sends any other set.
	want func(n int) map[string]int
}

var providerPhases = []phase{
	{"apply", []string{"apply", "-auto-approve"}, map[string]string{"name": "bench"},
		func(n int) map[string]int { return map[string]int{"discovery": 1, "register": n} }},
	{"plan", []string{"plan"}, map[string]string{"name": "bench"},
		func(n int) map[string]int { return map[string]int{"discovery": 1, "read": n} }},
	{"plan-norefresh", []string{"plan", "-refresh=false"}, map[string]string{"name": "bench"},
		func(n int) map[string]int { return map[string]int{"discovery": 1} }},
	{"update", []string{"apply", "-auto-approve"}, map[string]string{"name": "bench updated"},
		func(n int) map[string]int { return map[string]int{"discovery": 1, "read": n, "update": n} }},
	{"destroy", []string{"destroy", "-auto-approve"}, map[string]string{"name": "bench updated"},
		func(n int) map[string]int { return map[string]int{"discovery": 1, "read": n, "delete": n} }},
}

// phasesExpecting is the provider's phases with another request check.
func phasesExpecting(want func(n int) map[string]int) []phase {
	out := make([]phase, len(providerPhases))
	for i, ph := range providerPhases {
		ph.want = want
		out[i] = ph
	}
	return out
}

// floorPhases: the framework floor must send no request at all.
var floorPhases = phasesExpecting(func(int) map[string]int { return map[string]int{} })

// noopPhases: terraform_data talks to no server, so nothing is checked.
var noopPhases = phasesExpecting(nil)

type bench struct {
	c            config
	work         string
	rc           string
	providerPath string
	floor        string
	issuer       string
	proxy        *countingProxy
	proxyURL     string
	admin        *testenv.Keycloak
	raw          *rawLoop
}

// measure runs every wanted phase of one subject once.
func (b *bench) measure(ctx context.Context, subject string, rep int) ([]measurement, error) {
	if subject == "raw" {
		return b.measureRaw(ctx, rep)
	}
	phases := map[string][]phase{"provider": providerPhases, "floor": floorPhases, "noop": noopPhases}[subject]
	var iat string
	switch subject {
	case "provider":
		var err error
		if iat, err = b.admin.MintInitialAccessToken(ctx, time.Hour, b.c.n+5); err != nil {
			return nil, err
		}
	case "floor":
		iat = "unused"
	}
	var out []measurement
	for _, ph := range phases {
		if !b.c.wantsPhase(ph.name) {
			continue
		}
		logf("rep %d/%d: %s %s", rep, b.c.reps, subjectTitles[subject], ph.name)
		m, err := b.cli(ctx, subject, ph, iat)
		if err != nil {
			return nil, err
		}
		m.Rep = rep
		out = append(out, m)
	}
	return out, nil
}

// measureRaw runs the raw loop's four phases once (rep 0: a warm-up).
func (b *bench) measureRaw(ctx context.Context, rep int) ([]measurement, error) {
	iat, err := b.admin.MintInitialAccessToken(ctx, time.Hour, b.c.n+5)
	if err != nil {
		return nil, err
	}
	if rep > 0 {
		logf("rep %d/%d: raw loop", rep, b.c.reps)
	}
	b.proxy.take()
	var out []measurement
	for _, rp := range []struct {
		name string
		fn   func() error
	}{
		{"apply", func() error { return b.raw.register(ctx, b.c.n, iat) }},
		{"plan", func() error { return b.raw.read(ctx) }},
		{"update", func() error { return b.raw.update(ctx) }},
		{"destroy", func() error { return b.raw.remove(ctx) }},
	} {
		t0 := time.Now()
		if err := rp.fn(); err != nil {
			return nil, fmt.Errorf("raw %s: %w", rp.name, err)
		}
		out = append(out, measurement{Rep: rep, Subject: "raw", Phase: rp.name,
			WallMs: float64(time.Since(t0)) / 1e6, Requests: b.proxy.take()})
	}
	return out, nil
}

// providerBinary is what the wrapper runs for a subject.
func (b *bench) providerBinary(subject string) string {
	if subject == "floor" {
		return b.floor
	}
	return b.providerPath
}

// cli runs one Terraform command in the subject's directory and measures it.
func (b *bench) cli(ctx context.Context, subject string, ph phase, iat string) (measurement, error) {
	dir := filepath.Join(b.work, subject)
	usageFile := filepath.Join(b.work, "rusage-"+subject+"-"+ph.name+".jsonl")
	_ = os.Remove(usageFile)
	args := append(append([]string{}, ph.args...), "-input=false", "-no-color", "-parallelism="+strconv.Itoa(b.c.parallelism))
	cmd := exec.CommandContext(ctx, b.c.terraform, args...)
	cmd.Dir = dir
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+b.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		envWrapProvider+"="+b.providerBinary(subject), envRusageFile+"="+usageFile,
		"TF_VAR_n="+strconv.Itoa(b.c.n))
	for k, v := range ph.vars {
		env = append(env, "TF_VAR_"+k+"="+v)
	}
	switch subject {
	case "provider":
		env = append(env, "TF_VAR_issuer="+b.issuer)
	case "floor":
		// Through the counting proxy, so a request would be seen (and
		// fail the phase), though the floor must never send one.
		env = append(env, "TF_VAR_registration_endpoint="+b.proxyURL+"/floor-must-not-call")
		if b.c.floorKeep != "" {
			env = append(env, testenv.EnvBenchFloorKeep+"="+b.c.floorKeep)
		}
	}
	if subject == "provider" || subject == "floor" {
		env = append(env, "TF_VAR_initial_access_token="+iat)
		if b.c.profileDir != "" {
			dir := filepath.Join(b.c.profileDir, ph.name)
			if subject == "floor" {
				dir = filepath.Join(b.c.profileDir, "floor-"+ph.name)
			}
			env = append(env, pluginserve.EnvProfileDir+"="+dir)
			_ = os.MkdirAll(dir, 0o755)
		}
	}
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	b.proxy.take()
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	reqs := b.proxy.take()
	logPath := filepath.Join(b.work, subject+"-"+ph.name+".log")
	_ = os.WriteFile(logPath, out.Bytes(), 0o644)
	if err != nil {
		return measurement{}, fmt.Errorf("%s %s: %w\n%s", subject, strings.Join(ph.args, " "), err, tail(out.String(), 40))
	}
	m := measurement{Subject: subject, Phase: ph.name, WallMs: float64(wall) / 1e6, Requests: reqs}
	if ph.want != nil {
		if want := ph.want(b.c.n); formatCounts(want) != formatCounts(reqs) {
			return m, fmt.Errorf("%s %s sent %s; the minimum is %s", subject, ph.name, formatCounts(reqs), formatCounts(want))
		}
	}
	var total float64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// wait4 reports the CLI together with the children it reaped:
		// the provider processes are subtracted below.
		total = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
	}
	us, err := readUsages(usageFile)
	if err != nil {
		return m, err
	}
	for _, u := range us {
		m.ProvCPUms += u.CPUms
		m.ProvRSSk = max(m.ProvRSSk, u.MaxRSSk)
		m.ProvProcs++
	}
	m.CLICPUms = total - m.ProvCPUms
	return m, nil
}
