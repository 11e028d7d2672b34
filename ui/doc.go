// Package ui shows runwatch's Fyne windows: the executions window, an
// execution's details, the settings, and (in the one-process app of
// Windows and macOS) Fyne's tray. It only displays what package view
// decided from the poller's snapshots; what a person does goes out through
// Actions. It never calls a Google API.
//
// Used by internal/window (the Linux window process) and internal/single
// (the one-process app); never by the Linux tray process, which must not
// link Fyne.
package ui
