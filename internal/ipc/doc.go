// Package ipc is the one protocol between runwatch processes on one
// desktop: every command, its request type, a typed client call for it,
// and the server's dispatch.
//
// Who talks to whom:
//   - a second `runwatch` start asks the running tray process to Show its
//     window (internal/startup's instance claim);
//   - `runwatch status` asks it for its last Snapshot (Status);
//   - the window process (internal/window) long-polls it for the State to
//     show and sends back what a person did (Refresh, Acknowledge, Snooze,
//     SaveSettings, Quit), and asks it to act on Cloud Run (RunAgain,
//     Cancel, and the Overrides a run again may repeat): the tray process
//     has the clients;
//   - the tray process asks the window process to ShowWindow or to Quit.
//
// The transport is desktop/instance (a unix socket per name, one JSON line
// each way). A new command is one constant, one request type, one client
// method and one case in Serve. The package imports no toolkit.
package ipc
