package startup

import (
	"bytes"
	"log"
	"testing"
)

// Issue 14: Quit logged "Fyne error: Preferences load error / Cause: EOF",
// Fyne's own race at exit. It is dropped then, and only then.
func TestFyneLogDropsOnlyThePreferencesRaceAtExit(t *testing.T) {
	var out bytes.Buffer
	fl := NewFyneLog(&out)
	logger := log.New(fl, "", 0)
	fyneError := func(reason, cause string) {
		logger.Println("Fyne error: ", reason)
		logger.Println("  Cause:", cause)
		logger.Printf("  At: %s:%d", "/x/app/preferences.go", 106)
	}
	fyneError("Preferences load error:", "invalid character 'x'") // running: a real problem
	logger.Println("runwatch window: something")
	before := out.String()
	if want := "Fyne error:  Preferences load error:\n  Cause: invalid character 'x'\n  At: /x/app/preferences.go:106\nrunwatch window: something\n"; before != want {
		t.Fatalf("before stopping:\n%q\nwant\n%q", before, want)
	}
	fl.Stopping()
	fyneError("Preferences load error:", "EOF")
	fyneError("Failed on force saving preferences", "disk full")
	logger.Println("runwatch window: bye")
	want := before + "Fyne error:  Failed on force saving preferences\n  Cause: disk full\n  At: /x/app/preferences.go:106\nrunwatch window: bye\n"
	if out.String() != want {
		t.Fatalf("after stopping:\n%q\nwant\n%q", out.String(), want)
	}
}
