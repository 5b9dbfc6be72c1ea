package provider

import (
	"context"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

func clearLogEnv(t *testing.T) {
	t.Helper()
	for _, name := range logEnvVars {
		t.Setenv(name, "")
	}
}

func TestLogsWanted(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        bool
	}{
		{"", "", false},
		{"TF_LOG", "TRACE", true},
		{"TF_LOG", "info", true},
		{"TF_LOG", "off", false},
		{"TF_LOG", "OFF", false},
		{"TF_LOG_PROVIDER", "debug", true},
		{"TF_LOG_PROVIDER_MCP", "trace", true},
		{"TF_LOG_SDK_FRAMEWORK", "trace", true},
		{"TF_LOG_PATH", "/tmp/tf.log", true},
		{"TF_ACC_LOG_PATH", "/tmp/acc.log", true},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			clearLogEnv(t)
			if tc.name != "" {
				t.Setenv(tc.name, tc.value)
			}
			if got := LogsWanted(); got != tc.want {
				t.Fatalf("LogsWanted() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestQuietSDKLogsUnlessWanted(t *testing.T) {
	t.Run("no setting: the SDK's loggers are turned off", func(t *testing.T) {
		clearLogEnv(t)
		QuietSDKLogsUnlessWanted()
		for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_MCP"} {
			if got := os.Getenv(name); got != "off" {
				t.Errorf("%s = %q, want off", name, got)
			}
		}
		if LogsWanted() {
			t.Error("the off settings it wrote count as a wish for logs")
		}
	})
	t.Run("TF_LOG set: nothing changes", func(t *testing.T) {
		clearLogEnv(t)
		t.Setenv("TF_LOG", "TRACE")
		QuietSDKLogsUnlessWanted()
		if got := os.Getenv("TF_LOG_SDK"); got != "" {
			t.Errorf("TF_LOG_SDK = %q with TF_LOG=TRACE, want it untouched", got)
		}
	})
}

// With logs wanted the masking context is built; without, ctx comes back as is.
func TestWithSecretMaskingFollowsLogSettings(t *testing.T) {
	ctx := tflog.NewSubsystem(context.Background(), "probe") // any non-empty context chain
	clearLogEnv(t)
	if got := withSecretMasking(ctx, "s3cret"); got != ctx {
		t.Error("a masking context was built although no log setting is present")
	}
	t.Setenv("TF_LOG", "TRACE")
	if got := withSecretMasking(ctx, "s3cret"); got == ctx {
		t.Error("no masking context was built with TF_LOG=TRACE")
	}
}
