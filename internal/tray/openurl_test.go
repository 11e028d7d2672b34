package tray

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"runwatch/desktop/browser"
)

// fakeXdgOpen puts an xdg-open that runs script first on PATH (none for
// an empty script).
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

// Issue 14: Open logs without a browser failed silently. A notification's
// Open logs says why xdg-open could not open the link (desktop/browser), in
// a notification with the link.
func TestOpenURLSaysWhyTheLinkCouldNotBeOpened(t *testing.T) {
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
			notes := &recordedNotes{}
			started := time.Now()
			openURLOrSay(link, notes)
			if took := time.Since(started); took > browser.FailWait+time.Second {
				t.Errorf("took %v", took)
			}
			notes.mu.Lock()
			defer notes.mu.Unlock()
			if tc.want == "" {
				if len(notes.notes) != 0 {
					t.Fatalf("said %+v", notes.notes)
				}
				return
			}
			if len(notes.notes) != 1 || !strings.Contains(notes.notes[0].Body, tc.want) || !strings.Contains(notes.notes[0].Body, link.String()) {
				t.Fatalf("notifications %+v, want one holding %q and the link", notes.notes, tc.want)
			}
		})
	}
}
