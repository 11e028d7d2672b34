// Command runwatch watches Google Cloud Run job executions across regions
// from the system tray and says, at a glance, why a failed one failed.
//
// This package only chooses a command; each process is a package of its
// own (internal/tray, internal/window, internal/single), as is the protocol
// between them (internal/ipc).
//
//	runwatch [flags]          the tray app
//	runwatch status [flags]   one refresh, printed (--waybar: a status bar's line)
//	runwatch rerun EXECUTION  start its job again (--with-overrides: as it ran)
//	runwatch cancel EXECUTION cancel a running or pending execution
//	runwatch team setup|leave team mode on Pub/Sub: set a project up, leave it
//	runwatch relay --project P read each failure's logs once for the team
//	runwatch extract [FILE]   the error line of a log
//	runwatch window [flags]   the tray app's windows (it starts this itself)
//	runwatch version          the version
package main

import (
	"fmt"
	"io"
	"os"

	"runwatch/internal/startup"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `runwatch watches Cloud Run job executions across regions.

Usage:
  runwatch [flags]                  the tray app (--demo: against a simulated Cloud Run)
  runwatch status [--json] [flags]  one refresh: the newest executions and their errors
  runwatch status --waybar [--follow]
                                    a status bar's line (Waybar JSON; --oneline: the text alone)
  runwatch rerun EXECUTION [--project P] [--with-overrides]
                                    start the execution's job again (as it ran, with --with-overrides)
  runwatch cancel EXECUTION [--project P]
                                    cancel a running or pending execution
  runwatch team setup --project P [--dry-run]
                                    make P ready for team mode (a log sink to Pub/Sub), once per team
  runwatch team leave [--project P]
                                    remove this installation's team subscription
  runwatch relay --project P [--regions R1,R2]
                                    read each failure's logs once for the whole team and
                                    publish its error (headless; runs until stopped)
  runwatch extract [--newest-first] [--json] [FILE]
                                    the line that says why an execution failed, from its log
  runwatch version                  the version of this binary (also --version)

Run "runwatch COMMAND --help" for a command's flags.
`

// run dispatches to a command and returns the process's exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "extract":
			return runExtract(args[1:], stdin, stdout, stderr)
		case "status":
			return runStatus(args[1:], stdout, stderr)
		case "rerun":
			return runRerun(args[1:], stdout, stderr)
		case "cancel":
			return runCancel(args[1:], stdout, stderr)
		case "team":
			return runTeam(args[1:], stdout, stderr)
		case "relay":
			return runRelay(args[1:], stdout, stderr)
		case "window":
			if err := startup.CheckThisDisplay(os.Getenv); hasTrayApp && err != nil {
				fmt.Fprintln(stderr, err)
				return 1
			}
			return runWindow(args[1:], stdout, stderr)
		case "help":
			_, code, _ := startup.ParseApp([]string{"--help"}, stdout, stderr, usage)
			return code
		case "version", "--version", "-version":
			return runVersion(stdout)
		}
	}
	if !hasTrayApp {
		return runApp(args, stdout, stderr)
	}
	// Over SSH or in a console: one line, before any toolkit starts; help
	// and bad flags (exit 2) first, as they need no display.
	if err := startup.CheckThisDisplay(os.Getenv); err != nil {
		if _, code, ok := startup.ParseApp(args, stdout, stderr, usage); !ok {
			return code
		}
		fmt.Fprintln(stderr, err)
		return 1
	}
	return runApp(args, stdout, stderr)
}
