// Package startup is what every polling runwatch process does first: its
// flags parsed into a poller.Config (given flags winning over saved
// settings), the app ID and storage directory, the memory store, the
// clients (to Google Cloud, to given endpoints, or to --demo's simulated
// Cloud Run), and the single-instance claim.
//
// The tray process (internal/tray), the one-process app (internal/single)
// and `runwatch status` call it; it talks to the poller, to
// desktop/instance and, through internal/ipc, to an instance already
// running. It imports no toolkit.
package startup
