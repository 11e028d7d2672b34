package startup

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"runwatch/poller"
	"runwatch/ui/view"
)

// AppID is the Fyne app ID; it also names the storage directory.
const AppID = "io.runwatch.app"

// demoAppID keeps --demo's settings apart from the real ones.
const demoAppID = "io.runwatch.app.demo"

// Flags are the flags the tray app and `status` share.
type Flags struct {
	Project         string
	Job             string
	Regions         string
	Top             int
	Interval        time.Duration
	Demo            bool
	RunEndpoint     string
	LoggingEndpoint string
	// Given are the flags given on the command line, which win over the
	// saved settings for this run.
	Given map[string]bool
}

// Register defines the flags on fs; withInterval adds --interval (the
// tray app's, not status's).
func (f *Flags) Register(fs *flag.FlagSet, withInterval bool) {
	fs.StringVar(&f.Project, "project", "", "Google Cloud project (default: GOOGLE_CLOUD_PROJECT, else the credentials' project)")
	fs.StringVar(&f.Job, "job", poller.DefaultJob, "Cloud Run job to watch")
	fs.StringVar(&f.Regions, "regions", "", "comma-separated regions (default: the launcher's 18 regions)")
	fs.IntVar(&f.Top, "top", poller.DefaultTop, "how many of the newest executions to show")
	if withInterval {
		fs.DurationVar(&f.Interval, "interval", poller.DefaultInterval, "time between refreshes")
	}
	fs.BoolVar(&f.Demo, "demo", false, "watch a built-in simulated Cloud Run instead of Google Cloud")
	fs.StringVar(&f.RunEndpoint, "run-endpoint", "", "HOST:PORT of a plaintext Cloud Run gRPC server without credentials (emulators, tests)")
	fs.StringVar(&f.LoggingEndpoint, "logging-endpoint", "", "HOST:PORT of a plaintext Cloud Logging gRPC server without credentials")
}

// Parse parses args, records which flags were given and checks them.
func (f *Flags) Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	f.Given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.Given[fl.Name] = true })
	if f.Top <= 0 {
		return errors.New("--top must be at least 1")
	}
	if (f.RunEndpoint == "") != (f.LoggingEndpoint == "") {
		return errors.New("--run-endpoint and --logging-endpoint go together")
	}
	// Names are checked now, so a typo is a bad flag (exit 2); the project
	// may still be found later.
	probe := f.Config()
	probe.Project = cmp.Or(probe.Project, "p")
	return probe.Validate()
}

// NamesWhatToWatch reports whether a flag names what to watch or where,
// so that the running app's snapshot would not answer it.
func (f *Flags) NamesWhatToWatch() bool {
	for _, name := range []string{"project", "job", "regions", "top", "demo", "run-endpoint", "logging-endpoint"} {
		if f.Given[name] {
			return true
		}
	}
	return false
}

// Config returns the poller configuration the flags alone describe.
func (f *Flags) Config() poller.Config {
	return poller.Config{
		Project:  f.Project,
		Job:      f.Job,
		Regions:  poller.ParseRegions(f.Regions),
		Top:      f.Top,
		Interval: f.Interval,
	}.WithDefaults()
}

// Merge returns the saved settings with the flags given on the command
// line applied over them.
func (f *Flags) Merge(s view.Settings) poller.Config {
	cfg := s.Config()
	if f.Given["project"] {
		cfg.Project = f.Project
	}
	if f.Given["job"] {
		cfg.Job = f.Job
	}
	if f.Given["regions"] {
		cfg.Regions = poller.ParseRegions(f.Regions)
	}
	if f.Given["top"] {
		cfg.Top = f.Top
	}
	if f.Given["interval"] {
		cfg.Interval = f.Interval
	}
	return cfg.WithDefaults()
}

// AppID returns the app ID of this run: --demo keeps its settings apart.
func (f *Flags) AppID() string { return AppIDFor(f.Demo) }

// AppIDFor returns the app ID of the real app, or of --demo's.
func AppIDFor(demo bool) string {
	if demo {
		return demoAppID
	}
	return AppID
}

// ParseApp parses the tray app's flags; ok is false with the exit code
// when there is nothing to run (help, or bad flags). usage heads the help.
func ParseApp(args []string, stdout, stderr io.Writer, usage string) (f Flags, code int, ok bool) {
	fs := flag.NewFlagSet("runwatch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.Register(fs, true)
	if err := f.Parse(fs, args); err != nil {
		return f, FlagError(err, fs, stdout, stderr, "runwatch", usage+"\nFlags of the tray app (given flags win over saved settings for this run):\n"), false
	}
	return f, 0, true
}

// FlagError turns an error from parsing a command's flags into its exit
// code: 0 after printing help (and the flags) for -h, else 2 after one line
// naming the problem.
func FlagError(err error, fs *flag.FlagSet, stdout, stderr io.Writer, command, help string) int {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, help)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return 0
	}
	fmt.Fprintf(stderr, "%s: %v (see %s --help)\n", command, err, command)
	return 2
}
