//go:build !darwin && !windows

package browser

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeXdgOpen puts an xdg-open that runs script first on PATH (none at all
// for an empty script).
func fakeXdgOpen(t *testing.T, script string) {
	t.Helper()
	dir := t.TempDir()
	if script != "" {
		if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := dir + ":/bin:/usr/bin" // sh and sleep for the script
	if script == "" {
		path = dir // no xdg-open anywhere
	}
	t.Setenv("PATH", path)
}

// Issue 14: Open logs without a browser failed silently. Open says why
// xdg-open could not open the link, and waits for it (no zombie), but not
// for a browser that stays in the foreground.
func TestOpenSaysWhyTheLinkCouldNotBeOpened(t *testing.T) {
	link, _ := url.Parse("https://console.cloud.google.com/logs/query")
	for _, tc := range []struct {
		name, script, want string
	}{
		{name: "no browser", script: "exit 3", want: "exit status 3"},
		{name: "no xdg-open", script: "", want: "executable file not found"},
		{name: "opened", script: "exit 0"},
		{name: "a browser in the foreground", script: "sleep 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fakeXdgOpen(t, tc.script)
			started := time.Now()
			err := Open(link)
			if took := time.Since(started); took > FailWait+time.Second {
				t.Errorf("took %v", took)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), link.String())):
				t.Errorf("error %v, want one holding %q and the link", err, tc.want)
			}
		})
	}
}
