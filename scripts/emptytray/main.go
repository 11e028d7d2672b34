//go:build ignore

// Command emptytray is the baseline of scripts/idle-usage.sh: a Fyne app
// with a system-tray icon and menu and nothing else, no window shown.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

func main() {
	a := app.NewWithID("io.runwatch.emptytray")
	desk, ok := a.(desktop.App)
	if !ok {
		panic("emptytray: no system tray on this platform")
	}
	desk.SetSystemTrayMenu(fyne.NewMenu("emptytray",
		fyne.NewMenuItem("Nothing", nil),
	))
	desk.SetSystemTrayIcon(theme.FyneLogo())
	a.Run()
}
