//go:build !cgo

package main

import (
	"fmt"
	"io"

	"runwatch/internal/startup"
)

// hasTrayApp is false: a build without cgo links no toolkit (the relay's
// container image), so only the headless commands run.
const hasTrayApp = false

// noTrayApp says what a build without cgo can do instead.
const noTrayApp = "this runwatch was built without cgo: it has no tray app; run `runwatch relay`, `status`, `extract`, `team`"

// runApp answers --help and bad flags as the tray app does, else says
// there is no tray app and exits 2.
func runApp(args []string, stdout, stderr io.Writer) int {
	if _, code, ok := startup.ParseApp(args, stdout, stderr, usage); !ok {
		return code
	}
	fmt.Fprintln(stderr, "runwatch: "+noTrayApp)
	return 2
}

// runWindow says there are no windows either and exits 2.
func runWindow(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "runwatch window: "+noTrayApp)
	return 2
}
