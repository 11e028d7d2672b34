//go:build !linux

package main

import (
	"fmt"
	"io"

	"runwatch/internal/single"
)

// runApp starts the one-process app (Fyne's tray and windows together).
func runApp(args []string, stdout, stderr io.Writer) int {
	return single.Run(args, stdout, stderr, usage)
}

// runWindow is Linux's window process; elsewhere the app is one process.
func runWindow(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "runwatch window: only on Linux; start runwatch")
	return 2
}
