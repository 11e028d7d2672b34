// Package trayhost tells whether a tray host (a StatusNotifierWatcher: a
// panel's system tray) runs on the session bus: without one, a tray icon
// is invisible, so runwatch shows its window instead.
//
// The tray process and the one-process app ask it, through desktop/busname
// (the session bus only, bounded by a context). Never call it under a lock
// or on a toolkit's main thread.
package trayhost

import (
	"context"

	"runwatch/desktop/busname"
)

// watcherName is the D-Bus name a tray host owns.
const watcherName = "org.kde.StatusNotifierWatcher"

// Present reports whether a tray host runs on the session bus; false when
// there is no session bus or it does not answer in time.
func Present(ctx context.Context) bool { return busname.HasOwner(ctx, watcherName) }

// Watch sends whether a tray host runs: at once, then at each change, until
// ctx ends, when it closes the channel.
func Watch(ctx context.Context) <-chan bool { return busname.Watch(ctx, watcherName) }
