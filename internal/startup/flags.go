package startup

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
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
	AllJobs         bool
	Regions         string
	Top             int
	Interval        time.Duration
	Demo            bool
	RunEndpoint     string
	LoggingEndpoint string
	// Team is team mode (--team): execution ends from Pub/Sub.
	Team bool
	// PubSubEndpoint is a plaintext Pub/Sub server without credentials
	// (tests); else PUBSUB_EMULATOR_HOST, else Google's.
	PubSubEndpoint string
	// Given are the flags given on the command line, which win over the
	// saved settings for this run.
	Given map[string]bool
	// regions is Regions read by Parse.
	regions []string
	// AskLocations asks Cloud Run which locations it has, for a region not
	// in the built-in list (nil: Parse asks Cloud Run itself, see
	// locationLister).
	AskLocations poller.LocationLister
}

// hiddenFlags are for tests and emulators: they work, and help does not
// list them.
var hiddenFlags = []string{"run-endpoint", "logging-endpoint", "pubsub-endpoint"}

// regionCheckTimeout bounds asking Cloud Run's Locations API about a region
// not in the built-in list.
const regionCheckTimeout = 10 * time.Second

// Register defines the flags on fs; withInterval adds --interval (the
// tray app's, not status's).
func (f *Flags) Register(fs *flag.FlagSet, withInterval bool) {
	fs.StringVar(&f.Project, "project", "", "Google Cloud project, or a comma-separated list (default: GOOGLE_CLOUD_PROJECT, else the credentials' project)")
	fs.StringVar(&f.Job, "job", poller.DefaultJob, "Cloud Run job to watch, or a comma-separated list")
	fs.BoolVar(&f.AllJobs, "all-jobs", false, "watch every job of the project(s) (one request per project and region)")
	fs.StringVar(&f.Regions, "regions", "", "comma-separated regions (default: the launcher's 18 regions)")
	fs.IntVar(&f.Top, "top", poller.DefaultTop, fmt.Sprintf("how many of the newest executions to show (1 to %d)", poller.MaxTop))
	if withInterval {
		fs.DurationVar(&f.Interval, "interval", poller.DefaultInterval, fmt.Sprintf("time between refreshes (at least %v)", poller.MinInterval))
	}
	fs.BoolVar(&f.Team, "team", false, "team mode: execution ends pushed by Pub/Sub (after runwatch team setup), the refreshes slowed to every few minutes")
	fs.BoolVar(&f.Demo, "demo", false, "watch a built-in simulated Cloud Run instead of Google Cloud")
	fs.StringVar(&f.RunEndpoint, "run-endpoint", "", "HOST:PORT of a plaintext Cloud Run gRPC server without credentials (emulators, tests)")
	fs.StringVar(&f.LoggingEndpoint, "logging-endpoint", "", "HOST:PORT of a plaintext Cloud Logging gRPC server without credentials")
	fs.StringVar(&f.PubSubEndpoint, "pubsub-endpoint", "", "HOST:PORT of a plaintext Pub/Sub gRPC server without credentials (else PUBSUB_EMULATOR_HOST)")
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
	if f.Top > poller.MaxTop {
		return fmt.Errorf("--top %d is above the maximum of %d", f.Top, poller.MaxTop)
	}
	if f.Given["interval"] && f.Interval <= 0 {
		return fmt.Errorf("--interval %v: give a time between refreshes of at least %v", f.Interval, poller.MinInterval)
	}
	if f.Given["job"] && f.AllJobs {
		return errors.New("--job and --all-jobs: give one of them")
	}
	if f.Given["job"] && len(poller.ParseList(f.Job)) == 0 {
		return errors.New("--job: name at least one job")
	}
	if (f.RunEndpoint == "") != (f.LoggingEndpoint == "") {
		return errors.New("--run-endpoint and --logging-endpoint go together")
	}
	regions, err := poller.SplitRegions(f.Regions)
	if err != nil {
		return fmt.Errorf("--regions: %w", err)
	}
	if f.Given["regions"] && len(regions) == 0 {
		return errors.New("--regions: name at least one region")
	}
	f.regions = regions
	// Names are checked now, so a typo is a bad flag (exit 2); the project
	// may still be found later.
	probe := f.Config()
	probe.Project = cmp.Or(probe.Project, "p")
	if err := probe.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), regionCheckTimeout)
	defer cancel()
	if err := poller.CheckRegions(ctx, f.regions, f.locationLister()); err != nil {
		return fmt.Errorf("--regions: %w", err)
	}
	return nil
}

// locationLister is how Parse asks Cloud Run about a region not in the
// built-in list: the given endpoints, else Google's with Application
// Default Credentials; --demo's simulated cloud has only the built-in
// regions.
func (f *Flags) locationLister() poller.LocationLister {
	if f.AskLocations != nil || f.Demo {
		return f.AskLocations
	}
	return func(ctx context.Context) ([]string, error) {
		project, err := poller.FindProject(ctx, f.Project)
		if err != nil && f.RunEndpoint == "" {
			return nil, err
		}
		// Any watched project's locations are Cloud Run's: ask the first.
		first := append(poller.ParseList(project), "p")[0]
		return poller.ListLocations(ctx, poller.Endpoints{Run: f.RunEndpoint, Logging: f.LoggingEndpoint}, first)
	}
}

// IntervalNote says, in one line, when --interval is below the minimum
// and the minimum is used instead ("" otherwise).
func (f *Flags) IntervalNote() string {
	if !f.Given["interval"] || f.Interval <= 0 || f.Interval >= poller.MinInterval {
		return ""
	}
	return fmt.Sprintf("--interval %v is below the %v minimum; using %v", f.Interval, poller.MinInterval, poller.MinInterval)
}

// WatchArgs returns the given flags that name what to watch, and how, as
// command-line arguments that start the same app again (the autostart
// entry's): --project, --job, --all-jobs, --regions, --top, --interval,
// --team, --demo.
func (f *Flags) WatchArgs() []string {
	var args []string
	if f.Given["project"] {
		args = append(args, "--project", f.Project)
	}
	if f.Given["job"] {
		args = append(args, "--job", f.Job)
	}
	if f.Given["all-jobs"] {
		args = append(args, "--all-jobs="+strconv.FormatBool(f.AllJobs))
	}
	if f.Given["regions"] {
		args = append(args, "--regions", strings.Join(f.regions, ","))
	}
	if f.Given["top"] {
		args = append(args, "--top", strconv.Itoa(f.Top))
	}
	if f.Given["interval"] {
		args = append(args, "--interval", max(f.Interval, poller.MinInterval).String())
	}
	if f.Given["team"] {
		args = append(args, "--team="+strconv.FormatBool(f.Team))
	}
	if f.Demo {
		args = append(args, "--demo")
	}
	return args
}

// NamesWhatToWatch reports whether a flag names what to watch or where,
// so that the running app's snapshot would not answer it. --demo does not:
// it names which app answers (the running --demo app).
func (f *Flags) NamesWhatToWatch() bool {
	for _, name := range []string{"project", "job", "all-jobs", "regions", "top", "run-endpoint", "logging-endpoint", "pubsub-endpoint"} {
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
		AllJobs:  f.AllJobs,
		Regions:  f.parsedRegions(),
		Top:      f.Top,
		Interval: f.Interval,
		Team:     f.Team,
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
		cfg.Job, cfg.AllJobs = f.Job, false
	}
	if f.Given["all-jobs"] {
		cfg.AllJobs = f.AllJobs
	}
	if f.Given["regions"] {
		cfg.Regions = f.parsedRegions()
	}
	if f.Given["top"] {
		cfg.Top = f.Top
	}
	if f.Given["interval"] {
		cfg.Interval = f.Interval
	}
	if f.Given["team"] {
		cfg.Team = f.Team
	}
	return cfg.WithDefaults()
}

// parsedRegions returns the regions flag as Parse read it (leniently
// for Flags made without Parse).
func (f *Flags) parsedRegions() []string {
	if f.regions != nil {
		return f.regions
	}
	return poller.ParseRegions(f.Regions)
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
	if note := f.IntervalNote(); note != "" {
		fmt.Fprintf(stderr, "runwatch: %s\n", note)
	}
	return f, 0, true
}

// FlagError turns an error from parsing a command's flags into its exit
// code: 0 after printing help (and the flags) for -h, else 2 after one line
// naming the problem.
func FlagError(err error, fs *flag.FlagSet, stdout, stderr io.Writer, command, help string) int {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, help)
		PrintFlags(stdout, fs)
		return 0
	}
	fmt.Fprintf(stderr, "%s: %v (see %s --help)\n", command, err, command)
	return 2
}

// PrintFlags lists fs's flags as flag.PrintDefaults does, without the
// hidden ones (the test-only endpoints).
func PrintFlags(w io.Writer, fs *flag.FlagSet) {
	shown := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	fs.VisitAll(func(fl *flag.Flag) {
		if !slices.Contains(hiddenFlags, fl.Name) {
			shown.Var(fl.Value, fl.Name, fl.Usage)
			shown.Lookup(fl.Name).DefValue = fl.DefValue
		}
	})
	shown.SetOutput(w)
	shown.PrintDefaults()
}
