package view

import "runwatch/ui/view/viewtest"

// The shared fixtures under their short names.
var (
	now        = viewtest.Now
	execution  = viewtest.Execution
	snapshot   = viewtest.Snapshot
	acked      = viewtest.Acked
	staleSince = viewtest.StaleSince
	change     = viewtest.Change
)
