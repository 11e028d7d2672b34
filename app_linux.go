//go:build linux && cgo

package main

import (
	"io"

	"runwatch/internal/tray"
	"runwatch/internal/window"
)

// hasTrayApp is true: this build has the tray app and its windows.
const hasTrayApp = true

// runApp starts the tray process; its windows run in `runwatch window`.
func runApp(args []string, stdout, stderr io.Writer) int {
	return tray.Run(args, stdout, stderr, usage)
}

// runWindow is the window process the tray process starts.
func runWindow(args []string, stdout, stderr io.Writer) int {
	return window.Run(args, stdout, stderr)
}
