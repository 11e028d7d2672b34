package main

import (
	"fmt"
	"io"
)

// runApp starts the tray app.
func runApp(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "runwatch: the tray app is not built yet; try `runwatch extract --help`")
	return 1
}
