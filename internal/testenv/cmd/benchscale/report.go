package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mcp-oauth/terraform-provider-mcp/internal/testenv"
)

// median of xs; NaN when there is none (a subject or phase that did not run).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func itoa(i int) string { return strconv.Itoa(i) }

// num formats x, or a dash for what was not measured.
func num(format string, x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return fmt.Sprintf(format, x)
}

// floorCut says how the floor's schema was cut down, if it was.
func floorCut(keep string) string {
	if keep == "" {
		return ""
	}
	names := strings.Split(keep, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	return fmt.Sprintf(" cut to %d attributes: %s", len(names), strings.Join(names, ", "))
}

// report prints per subject the medians by phase, then the ratios. Only
// what ran is shown.
func report(w io.Writer, c config, tfVersion string, all []measurement) {
	pick := func(subject, ph string) []measurement {
		var out []measurement
		for _, m := range all {
			if m.Subject == subject && m.Phase == ph {
				out = append(out, m)
			}
		}
		return out
	}
	med := func(subject, ph string, f func(measurement) float64) float64 {
		var xs []float64
		for _, m := range pick(subject, ph) {
			xs = append(xs, f(m))
		}
		return median(xs)
	}
	reqs := func(subject, ph string) string {
		ms := pick(subject, ph)
		if len(ms) == 0 {
			return ""
		}
		return formatCounts(ms[len(ms)-1].Requests)
	}
	wall := func(m measurement) float64 { return m.WallMs }
	cpu := func(m measurement) float64 { return m.ProvCPUms }
	n := float64(c.n)
	fmt.Fprintf(w, "\nbenchscale: N=%d, parallelism %d, %d repetition(s), medians; %s, Keycloak %s\n",
		c.n, c.parallelism, c.reps, tfVersion, testenv.KeycloakVersion)

	for _, subject := range []struct{ name, title string }{
		{"provider", fmt.Sprintf("provider (mcp_dynamic_client x %d)", c.n)},
		{"floor", fmt.Sprintf("framework floor (mcp_dynamic_client's schema%s x %d, no provider work, no requests)", floorCut(c.floorKeep), c.n)},
	} {
		if !c.wants(subject.name) {
			continue
		}
		fmt.Fprintf(w, "\n%s:\n", subject.title)
		tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "phase\twall s\tprovider CPU s\tCPU ms/resource\tpeak RSS MiB\tprocesses\tterraform CPU s\t requests (last repetition)")
		for _, ph := range providerPhases {
			if len(pick(subject.name, ph.name)) == 0 {
				continue
			}
			fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f\t%.2f\t %s\n", ph.name,
				med(subject.name, ph.name, wall)/1e3,
				med(subject.name, ph.name, cpu)/1e3,
				med(subject.name, ph.name, cpu)/n,
				med(subject.name, ph.name, func(m measurement) float64 { return float64(m.ProvRSSk) })/1024,
				med(subject.name, ph.name, func(m measurement) float64 { return float64(m.ProvProcs) }),
				med(subject.name, ph.name, func(m measurement) float64 { return m.CLICPUms })/1e3,
				reqs(subject.name, ph.name))
		}
		tw.Flush()
	}

	if c.wants("noop") {
		fmt.Fprintf(w, "\nno-op baseline (terraform_data x %d, built into Terraform):\n", c.n)
		tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "phase\twall s\tterraform CPU s\t")
		for _, ph := range noopPhases {
			if len(pick("noop", ph.name)) == 0 {
				continue
			}
			fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t\n", ph.name, med("noop", ph.name, wall)/1e3,
				med("noop", ph.name, func(m measurement) float64 { return m.CLICPUms })/1e3)
		}
		tw.Flush()
	}

	if c.wants("raw") {
		fmt.Fprintf(w, "\nraw Go loop (net/http, concurrency %d, the same requests):\n", c.parallelism)
		tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "phase\twall s\t requests")
		for _, ph := range []string{"apply", "plan", "update", "destroy"} {
			fmt.Fprintf(tw, "%s\t%.2f\t %s\n", ph, med("raw", ph, wall)/1e3, reqs("raw", ph))
		}
		tw.Flush()
	}

	if !c.wants("provider") {
		return
	}
	fmt.Fprintln(w, "\nratios (medians; the provider's own share is the median of per-repetition differences, [min, max]):")
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tprovider wall / raw\t(provider - no-op) wall / raw\t(floor - no-op) wall / raw\tprovider CPU ms/resource\tof which the floor's\tthe provider's own\t")
	for _, ph := range []string{"apply", "plan", "plan-norefresh", "update", "destroy"} {
		if len(pick("provider", ph)) == 0 {
			continue
		}
		pw, fw, nw, rw := med("provider", ph, wall), med("floor", ph, wall), med("noop", ph, wall), med("raw", ph, wall)
		own := ownShare(pick("provider", ph), pick("floor", ph), n)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%s\t%s\t\n", ph,
			num("%.1fx", pw/rw), num("%.1fx", (pw-nw)/rw), num("%.1fx", (fw-nw)/rw),
			med("provider", ph, cpu)/n, num("%.2f", med("floor", ph, cpu)/n), own)
	}
	tw.Flush()
}

// ownShare is the provider's CPU per resource minus the floor's, paired by
// repetition: the median and the range of the differences.
func ownShare(provider, floor []measurement, n float64) string {
	floorByRep := map[int]float64{}
	for _, m := range floor {
		floorByRep[m.Rep] = m.ProvCPUms
	}
	var diffs []float64
	for _, m := range provider {
		if f, ok := floorByRep[m.Rep]; ok {
			diffs = append(diffs, (m.ProvCPUms-f)/n)
		}
	}
	if len(diffs) == 0 {
		return "—"
	}
	sort.Float64s(diffs)
	return fmt.Sprintf("%.2f [%.2f, %.2f]", median(diffs), diffs[0], diffs[len(diffs)-1])
}
