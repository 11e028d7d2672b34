package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2/google"

	"runwatch/internal/startup"
	"runwatch/poller"
	"runwatch/team"
)

// teamCommandTimeout bounds a whole team setup or leave; each call it makes
// has its own, shorter, timeout (see package team).
const teamCommandTimeout = 2 * time.Minute

const teamUsage = "usage: runwatch team setup --project P [--dry-run] | runwatch team leave [--project P]\n"

const teamSetupHelp = `usage: runwatch team setup --project P [--dry-run]
Make project P ready for team mode, once for the whole team: Cloud Run writes an
audit entry whenever a job execution ends, and a Cloud Logging sink
(` + team.SinkID + `) routes those entries to the Pub/Sub topic ` + team.ExecutionsTopic + `,
which each person's runwatch reads from a subscription of its own. It creates
that topic, the topic ` + team.ErrorsTopic + ` (for the relay's extracted errors),
the sink (with a unique writer identity) and lets the sink's writer publish to
the topic (roles/pubsub.publisher). Only what is missing is made: a second run
changes nothing. With --dry-run it prints the equivalent gcloud commands and
calls nothing.
Needs roles/pubsub.editor (topics), roles/logging.configWriter (the sink) and
roles/pubsub.admin (the grant), or roles/owner.
Exit status 0 when the project is ready (or --dry-run), 1 when Google Cloud
refused, 2 on bad flags.
`

const teamLeaveHelp = `usage: runwatch team leave [--project P]
Remove this installation's subscription to the team's execution events
(runwatch-ID, ID kept in team.json in the app's storage). The topics and the
sink stay for the rest of the team. Needs roles/pubsub.editor.
Exit status 0 when it is gone (or there was none), 1 when Pub/Sub refused, 2 on
bad flags.
`

// teamArgs are what team setup and leave are given.
type teamArgs struct {
	project         string
	dryRun          bool
	runEndpoint     string // accepted like the other commands' (team mode needs no Cloud Run call)
	loggingEndpoint string
	pubsubEndpoint  string
}

// runTeam implements `runwatch team setup|leave`.
func runTeam(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "runwatch team: name a command: setup or leave\n%s", teamUsage)
		return 2
	}
	switch args[0] {
	case "setup":
		return runTeamSetup(args[1:], stdout, stderr)
	case "leave":
		return runTeamLeave(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, teamUsage)
		return 0
	}
	fmt.Fprintf(stderr, "runwatch team: unknown command %q\n%s", args[0], teamUsage)
	return 2
}

// parseTeamArgs reads a team command's flags; ok is false with the exit
// code when there is nothing to do (help: 0; a bad flag: 2).
func parseTeamArgs(command string, args []string, withDryRun bool, stdout, stderr io.Writer, help string) (a teamArgs, code int, ok bool) {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.project, "project", "", "Google Cloud project (default: GOOGLE_CLOUD_PROJECT, else the credentials' project)")
	if withDryRun {
		fs.BoolVar(&a.dryRun, "dry-run", false, "print the equivalent gcloud commands and call nothing")
	}
	fs.StringVar(&a.runEndpoint, "run-endpoint", "", "HOST:PORT of a plaintext Cloud Run gRPC server without credentials (emulators, tests)")
	fs.StringVar(&a.loggingEndpoint, "logging-endpoint", "", "HOST:PORT of a plaintext Cloud Logging gRPC server (its sinks) without credentials")
	fs.StringVar(&a.pubsubEndpoint, "pubsub-endpoint", "", "HOST:PORT of a plaintext Pub/Sub gRPC server without credentials (else PUBSUB_EMULATOR_HOST)")
	if err := fs.Parse(args); err != nil {
		return a, startup.FlagError(err, fs, stdout, stderr, command, help), false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see %s --help)\n", command, fs.Arg(0), command)
		return a, 2, false
	}
	return a, 0, true
}

// findTeamProject returns the project to set up or leave: --project, else
// as the other commands find it; with a fake's endpoints only --project.
func findTeamProject(ctx context.Context, a teamArgs) (string, error) {
	if a.project == "" && (a.loggingEndpoint != "" || a.pubsubEndpoint != "") {
		return "", errors.New("no project for the given endpoints: pass --project")
	}
	return poller.FindProject(ctx, a.project)
}

// needCredentials says, as the other commands do, how to give runwatch
// credentials when a Google API is to be called without them.
func needCredentials(ctx context.Context, googleAPIs bool) error {
	if !googleAPIs {
		return nil
	}
	if _, err := google.FindDefaultCredentials(ctx, "https://www.googleapis.com/auth/cloud-platform"); err != nil {
		return poller.ErrNoCredentials
	}
	return nil
}

// runTeamSetup implements `runwatch team setup --project P [--dry-run]`.
func runTeamSetup(args []string, stdout, stderr io.Writer) int {
	const command = "runwatch team setup"
	a, code, ok := parseTeamArgs(command, args, true, stdout, stderr, teamSetupHelp)
	if !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), teamCommandTimeout)
	defer cancel()
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		return 1
	}
	project, err := findTeamProject(ctx, a)
	if err != nil {
		return fail(err)
	}
	if a.dryRun {
		r, err := team.Setup(ctx, project, team.Clients{}, true)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "# runwatch team setup --project %s does what these do (it makes only what is missing):\n%s", project, r.Commands())
		return 0
	}
	if err := needCredentials(ctx, a.loggingEndpoint == ""); err != nil {
		return fail(err)
	}
	clients, err := team.NewClients(ctx, project, team.Endpoints{Logging: a.loggingEndpoint, PubSub: a.pubsubEndpoint})
	if err != nil {
		return fail(err)
	}
	defer clients.Close()
	r, err := team.Setup(ctx, project, clients, false)
	for _, s := range r.Steps {
		fmt.Fprintln(stdout, s.Said)
	}
	if err != nil {
		return fail(err)
	}
	if r.Changed() {
		fmt.Fprintf(stdout, "team mode is set up in %s: Cloud Run job execution ends go to %s\n", project, team.TopicName(project, team.ExecutionsTopic))
	} else {
		fmt.Fprintf(stdout, "nothing to change: team mode was already set up in %s\n", project)
	}
	return 0
}

// runTeamLeave implements `runwatch team leave [--project P]`.
func runTeamLeave(args []string, stdout, stderr io.Writer) int {
	const command = "runwatch team leave"
	a, code, ok := parseTeamArgs(command, args, false, stdout, stderr, teamLeaveHelp)
	if !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(context.Background(), teamCommandTimeout)
	defer cancel()
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		return 1
	}
	dir, err := startup.StorageDir(startup.AppIDFor(false))
	if err != nil {
		return fail(err)
	}
	id, err := team.ReadInstallation(dir)
	if err != nil {
		return fail(err)
	}
	if id == "" {
		fmt.Fprintln(stdout, "this installation has no team subscription: it never joined team mode")
		return 0
	}
	project, err := findTeamProject(ctx, a)
	if err != nil {
		return fail(err)
	}
	emulated := a.pubsubEndpoint != "" || strings.TrimSpace(os.Getenv("PUBSUB_EMULATOR_HOST")) != ""
	if err := needCredentials(ctx, !emulated); err != nil {
		return fail(err)
	}
	client, err := team.NewPubSubClient(ctx, project, a.pubsubEndpoint)
	if err != nil {
		return fail(err)
	}
	defer client.Close()
	name := team.SubscriptionName(project, team.SubscriptionID(id))
	gone, err := team.Leave(ctx, client, project, id)
	switch {
	case err != nil:
		return fail(err)
	case gone:
		fmt.Fprintf(stdout, "removed %s: this installation no longer gets the team's execution events\n", name)
	default:
		fmt.Fprintf(stdout, "%s does not exist (left already, or expired unused): nothing to remove\n", name)
	}
	return 0
}
