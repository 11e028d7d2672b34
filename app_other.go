//go:build !linux

package main

import (
	"fmt"
	"io"
)

// runApp starts the tray app: one Fyne process here (see app_linux.go for
// the tray apart from the windows).
func runApp(args []string, stdout, stderr io.Writer) int {
	return runSingleApp(args, stdout, stderr)
}

// runWindow is Linux's window process; elsewhere the app is one process.
func runWindow(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "runwatch window: only on Linux; start runwatch")
	return 2
}
