//go:build ignore

// Command closewindow closes X windows (decimal ids, as xdotool prints
// them) as a window manager's close button does; scripts/idle-usage.sh
// uses it under Xvfb, where there is no window manager.
package main

import (
	"fmt"
	"os"

	"runwatch/internal/xwindow"
)

func main() {
	status := 0
	for _, id := range os.Args[1:] {
		if err := xwindow.Close(id); err != nil {
			fmt.Fprintf(os.Stderr, "closewindow %s: %v\n", id, err)
			status = 1
		}
	}
	os.Exit(status)
}
