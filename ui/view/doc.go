// Package view decides what runwatch shows, with no toolkit: the tray's
// look and menu lines, the executions table's rows and header, the wording
// of notifications, and the settings as they are saved.
//
// The poller's Snapshot and lifecycle's Changes come in; plain values go
// out. The Fyne windows (package ui), the Linux tray process
// (internal/tray, through fyne.io/systray) and the notifier
// (internal/notifier) only display them. view imports neither Fyne nor
// D-Bus, so every decision is a plain function with a table test.
package view
