// Package tray is the Linux tray process (`runwatch`): the tray icon and
// menu, the poller, the notifications and the instance socket. It never
// starts Fyne's driver, whose loop runs at 60 Hz for as long as it runs
// (fyne-io/fyne#2506), and never links Fyne: the icon and menu go over
// D-Bus through fyne.io/systray.
//
// One goroutine owns the tray (Tray.Run): the watcher's results, menu
// clicks, requests from other runwatch processes and the ticker arrive as
// values on channels, and the loop is the only one that draws. It draws
// through Menu, so the loop is tested with a fake menu and no D-Bus.
//
// Who talks to whom: the poller's Watcher calls the Tray as its
// poller.View; the loop asks the Watcher for refreshes and acknowledgements,
// the notifier for bubbles, and the window process (internal/window, over
// internal/ipc) for windows, starting it when none runs. It acts on Cloud
// Run for the window process (run again, cancel) with the Watcher's
// clients: the window process makes no Google API call. Other runwatch
// processes reach the tray process over internal/ipc. It never imports
// internal/window or internal/single.
package tray
