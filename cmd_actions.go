package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path"
	"time"

	"runwatch/internal/startup"
	"runwatch/poller"
)

// actionCommandTimeout bounds a whole rerun or cancel; each call it makes
// has its own, shorter, timeout (see poller.RunAgain, poller.Cancel).
const actionCommandTimeout = 2 * time.Minute

const rerunUsage = "usage: runwatch rerun EXECUTION [--project P] [--with-overrides]\n"

const rerunHelp = rerunUsage + `Start the job of EXECUTION again: a new execution in the same region.
EXECUTION is projects/P/locations/REGION/jobs/JOB/executions/ID, or REGION/ID
with --project (or GOOGLE_CLOUD_PROJECT, or gcloud's project). With
--with-overrides the new execution runs with the args, env, task count and
timeout EXECUTION ran with where they differ from the job's.
Needs run.jobs.run (roles/run.invoker or roles/run.developer); with overrides,
run.jobs.runWithOverrides (roles/run.developer).
Exit status 0 when it started, 1 when Cloud Run refused, 2 on a bad argument.
`

const cancelUsage = "usage: runwatch cancel EXECUTION [--project P]\n"

const cancelHelp = cancelUsage + `Cancel a running or pending execution.
EXECUTION is projects/P/locations/REGION/jobs/JOB/executions/ID, or REGION/ID
with --project (or GOOGLE_CLOUD_PROJECT, or gcloud's project).
Needs run.executions.cancel (roles/run.developer).
Exit status 0 when it was cancelled, 1 when Cloud Run refused (an execution
that already finished), 2 on a bad argument.
`

// actionArgs are what rerun and cancel are given.
type actionArgs struct {
	execution       poller.ExecutionName // its project may be empty until found
	project         string
	runEndpoint     string
	loggingEndpoint string
	withOverrides   bool
}

// runRerun implements `runwatch rerun EXECUTION [--project P]
// [--with-overrides]`.
func runRerun(args []string, stdout, stderr io.Writer) int {
	const command = "runwatch rerun"
	a, code, ok := parseActionArgs(command, args, true, stdout, stderr, rerunUsage, rerunHelp)
	if !ok {
		return code
	}
	return act(command, a, stderr, func(ctx context.Context, clients poller.Clients, resource string) error {
		var o poller.Overrides
		if a.withOverrides {
			var err error
			if o, err = poller.OverridesOf(ctx, clients, resource); err != nil {
				return err
			}
		}
		started, err := poller.RunWith(ctx, clients, resource, o)
		if err != nil {
			return err
		}
		of := "run again of " + a.execution.ID
		switch {
		case !o.Empty():
			of += " with " + o.String()
		case a.withOverrides:
			of += ", which had no overrides"
		}
		fmt.Fprintf(stdout, "started %s in %s (%s)\n", path.Base(started), a.execution.Region, of)
		return nil
	})
}

// runCancel implements `runwatch cancel EXECUTION [--project P]`.
func runCancel(args []string, stdout, stderr io.Writer) int {
	const command = "runwatch cancel"
	a, code, ok := parseActionArgs(command, args, false, stdout, stderr, cancelUsage, cancelHelp)
	if !ok {
		return code
	}
	return act(command, a, stderr, func(ctx context.Context, clients poller.Clients, resource string) error {
		if err := poller.Cancel(ctx, clients, resource); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "cancelled %s in %s\n", a.execution.ID, a.execution.Region)
		return nil
	})
}

// parseActionArgs reads the flags and the one EXECUTION, which may come
// before or after them; ok is false with the exit code when there is
// nothing to do (help: 0; a bad flag or EXECUTION: 2, before anything is
// looked up).
func parseActionArgs(command string, args []string, withOverrides bool, stdout, stderr io.Writer, usage, help string) (a actionArgs, code int, ok bool) {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.project, "project", "", "Google Cloud project of a REGION/ID execution (default: GOOGLE_CLOUD_PROJECT, else the credentials' project)")
	fs.StringVar(&a.runEndpoint, "run-endpoint", "", "HOST:PORT of a plaintext Cloud Run gRPC server without credentials (emulators, tests)")
	fs.StringVar(&a.loggingEndpoint, "logging-endpoint", "", "HOST:PORT of a plaintext Cloud Logging gRPC server without credentials")
	if withOverrides {
		fs.BoolVar(&a.withOverrides, "with-overrides", false, "run with the args, env, task count and timeout EXECUTION ran with")
	}
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return a, startup.FlagError(err, fs, stdout, stderr, command, help), false
	}
	bad := func(err error) (actionArgs, int, bool) {
		fmt.Fprintf(stderr, "%s: %v\n%s", command, err, usage)
		return a, 2, false
	}
	switch {
	case len(positional) == 0:
		return bad(errors.New("name the execution"))
	case len(positional) > 1:
		return bad(fmt.Errorf("one execution at a time (got %d)", len(positional)))
	case (a.runEndpoint == "") != (a.loggingEndpoint == ""):
		return bad(errors.New("--run-endpoint and --logging-endpoint go together"))
	}
	if a.execution, err = poller.ParseExecution(positional[0]); err != nil {
		return bad(err)
	}
	if a.project != "" && !poller.ValidProjectID(a.project) {
		return bad(fmt.Errorf("--project %q is not a project ID (one project, such as my-project or example.com:my-project)", a.project))
	}
	if a.execution.Project != "" && a.project != "" && a.execution.Project != a.project {
		return bad(fmt.Errorf("%s is in project %s, but --project says %s", a.execution.ID, a.execution.Project, a.project))
	}
	return a, 0, true
}

// parseInterleaved parses fs from args where flags and arguments mix
// (`rerun EXECUTION --with-overrides`), returning the arguments in order.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// act finds the execution's project, connects the clients as status does
// (the given endpoints, else Google Cloud with Application Default
// Credentials) and runs do with the execution's resource name; a refusal is
// one line on stderr and exit 1.
func act(command string, a actionArgs, stderr io.Writer, do func(ctx context.Context, clients poller.Clients, resource string) error) int {
	ctx, cancel := context.WithTimeout(context.Background(), actionCommandTimeout)
	defer cancel()
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		return 1
	}
	if a.execution.Project == "" {
		project, err := poller.FindProject(ctx, a.project)
		if err != nil {
			if a.runEndpoint != "" {
				return fail(errors.New("no project for the given endpoints: pass --project"))
			}
			return fail(err)
		}
		a.execution.Project = project
	}
	clients, err := poller.NewClients(ctx, poller.Endpoints{Run: a.runEndpoint, Logging: a.loggingEndpoint})
	if err != nil {
		return fail(err)
	}
	defer clients.Close()
	if err := do(ctx, clients, a.execution.String()); err != nil {
		return fail(err)
	}
	return 0
}
