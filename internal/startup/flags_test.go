package startup

import (
	"bytes"
	"context"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"

	"runwatch/poller"
	"runwatch/ui/view"
)

func TestFlagsWinOverSavedSettings(t *testing.T) {
	f := Flags{Project: "flag-project", Regions: "asia-east1", Top: 7, Given: map[string]bool{"project": true, "regions": true}}
	saved := view.Settings{Project: "saved-project", Job: "vertex-ai-launcher", Regions: []string{"us-east1"}, Top: 3, Interval: poller.DefaultInterval}
	cfg := f.Merge(saved)
	if cfg.Project != "flag-project" || !slices.Equal(cfg.Regions, []string{"asia-east1"}) || cfg.Top != 3 {
		t.Fatalf("%+v", cfg)
	}
}

func parseApp(t *testing.T, ask poller.LocationLister, args ...string) (Flags, error) {
	t.Helper()
	fs := flag.NewFlagSet("runwatch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := Flags{AskLocations: ask}
	f.Register(fs, true)
	return f, f.Parse(fs, args)
}

func TestBadFlagsAreNamedBeforeAnyNetwork(t *testing.T) {
	never := func(context.Context) ([]string, error) {
		t.Error("Cloud Run was asked about built-in regions")
		return nil, nil
	}
	lists := func(ids ...string) poller.LocationLister {
		return func(context.Context) ([]string, error) { return ids, nil }
	}
	for _, tc := range []struct {
		args []string
		ask  poller.LocationLister
		want string // "" : no error
	}{
		{args: []string{"--regions", "us-central1,europe-west4"}, ask: never},
		{args: []string{"--regions", "us central1"}, ask: never, want: `"us central1"`},
		{args: []string{"--regions", "us-centrall1"}, ask: lists("us-central1"), want: "did you mean us-central1?"},
		{args: []string{"--regions", "us-central1,mars-north1"}, ask: lists("us-central1"), want: "unknown Cloud Run region mars-north1"},
		{args: []string{"--regions", "moon-south1"}, ask: lists("moon-south1")},
		{args: []string{"--regions", " , "}, ask: never, want: "at least one region"},
		{args: []string{"--interval", "0"}, ask: never, want: "at least 2s"},
		{args: []string{"--interval", "-5s"}, ask: never, want: "at least 2s"},
		{args: []string{"--interval", "1s"}, ask: never},
		{args: []string{"--top", "51"}, ask: never, want: "--top 51 is above the maximum of 50"},
		{args: []string{"--top", "50"}, ask: never},
	} {
		_, err := parseApp(t, tc.ask, tc.args...)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want one holding %q", tc.args, err, tc.want)
		}
	}
}

func TestIntervalBelowTheMinimumIsSaidInOneLine(t *testing.T) {
	var stdout, stderr bytes.Buffer
	f, code, ok := ParseApp([]string{"--interval", "1s", "--regions", "us-east1"}, &stdout, &stderr, "usage\n")
	if !ok || code != 0 {
		t.Fatalf("ok %v code %d stderr %q", ok, code, stderr.String())
	}
	if got := stderr.String(); got != "runwatch: --interval 1s is below the 2s minimum; using 2s\n" {
		t.Fatalf("stderr %q", got)
	}
	if cfg := f.Config(); cfg.Interval != poller.MinInterval {
		t.Fatalf("interval %v", cfg.Interval)
	}
	stderr.Reset()
	if _, _, ok := ParseApp([]string{"--interval", "2s"}, &stdout, &stderr, ""); !ok || stderr.Len() != 0 {
		t.Fatalf("--interval 2s: ok %v, stderr %q", ok, stderr.String())
	}
}

func TestWatchArgsStartTheSameApp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{args: nil, want: nil},
		{args: []string{"--demo"}, want: []string{"--demo"}},
		{args: []string{"--project", "my-proj", "--regions", "us-east1, europe-west4", "--top", "7", "--interval", "1m", "--job", "j"},
			want: []string{"--project", "my-proj", "--job", "j", "--regions", "us-east1,europe-west4", "--top", "7", "--interval", "1m0s"}},
		{args: []string{"--interval", "1s"}, want: []string{"--interval", "2s"}},
		{args: []string{"--run-endpoint", "h:1", "--logging-endpoint", "h:1", "--project", "p"}, want: []string{"--project", "p"}},
	} {
		f, err := parseApp(t, nil, tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if got := f.WatchArgs(); !slices.Equal(got, tc.want) {
			t.Errorf("%q: WatchArgs %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestHelpHidesTheTestEndpoints(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if _, code, ok := ParseApp([]string{"--help"}, &stdout, &stderr, "usage\n"); ok || code != 0 {
		t.Fatalf("ok %v code %d", ok, code)
	}
	help := stdout.String()
	if strings.Contains(help, "endpoint") || !strings.Contains(help, "-regions") || !strings.Contains(help, `(default "vertex-ai-launcher")`) {
		t.Fatalf("help:\n%s", help)
	}
	// They still work.
	if _, err := parseApp(t, nil, "--run-endpoint", "127.0.0.1:1", "--logging-endpoint", "127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
}
