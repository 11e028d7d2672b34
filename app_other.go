//go:build !linux && cgo

package main

import (
	"fmt"
	"io"

	"runwatch/internal/single"
)

// hasTrayApp is true: this build has the tray app.
const hasTrayApp = true

// runApp starts the one-process app (Fyne's tray and windows together).
func runApp(args []string, stdout, stderr io.Writer) int {
	return single.Run(args, stdout, stderr, usage)
}

// runWindow is Linux's window process; elsewhere the app is one process.
func runWindow(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "runwatch window: only on Linux; start runwatch")
	return 2
}
