package extract

// The invariants of the choice, which the tests in this file hold the
// extractor to:
//
//  1. A platform exit line ("Container called exit(N).", "Container
//     terminated on signal N.") never wins over a line the program printed
//     that names a cause; nor does a wrapper's "X exited with status N" or
//     "pipeline failed", nor a replica's exit relayed by the wrapper.
//  2. The answer does not depend on what surrounds the program's line:
//     platform lines, wrapper lines, INFO chatter and WARNING chatter that
//     will be retried, added before or after it; ANSI colour codes on any
//     line; the stream each line came from, when every line says as much
//     as before.
//  3. A WARNING that will be retried, with nothing after it that says the
//     run failed, is no error: the retry worked.
//  4. The stream decides only between lines that say as much: a stderr
//     line is taken over a stdout line like it, never over a line that
//     says more.
//  5. The result grades how much it says (Specificity), so that of it and
//     Cloud Run's own reason the more specific wins: a named cause over a
//     signal over an exit status over a bare "failed".

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// allCases is every case of every set, chronological.
func allCases(t testing.TB) []corpusCase {
	cases := loadCorpus(t)
	for _, dir := range []string{"testdata/extra", "testdata/extra2", "testdata/extra3", "testdata/extra4", "testdata/extra5", "testdata/extra6", "testdata/extra7", "testdata/extra8", "testdata/extra9", "testdata/classes"} {
		cases = append(cases, loadCases(t, dir)...)
	}
	return cases
}

// The lines the randomized test adds around a log.
var (
	platformLines = []string{"Container called exit(1).", "Container terminated on signal 6.", "Container called exit(137)."}
	wrapperLines  = []string{"[run.sh] `worker` exited with status 1", "[run.sh] pipeline failed", "The replica workerpool0-0 exited with a non-zero status of 1. Termination reason: Error."}
	infoLines     = []string{"2025-03-02 10:00:00,001 INFO worker: step 10/100", "{\"severity\":\"INFO\",\"message\":\"heartbeat\"}", "time=2025-03-02T10:00:00Z level=info msg=\"polling\" errors=0"}
	retryLines    = []string{"WARNING: upload of part-3 failed with 503 Service Unavailable, will retry in 2s", "time=2025-03-02T10:00:00Z level=warn msg=\"publish failed, retrying\" attempt=1 err=\"rpc error: code = Unavailable desc = try again\""}
)

// perturb returns lines with chatter added as rng says, and each line's
// stream; the answer must not change.
func perturb(rng *rand.Rand, lines []string) ([]string, []Stream) {
	pick := func(from []string) string { return from[rng.IntN(len(from))] }
	var head, tail []string
	for range rng.IntN(4) {
		head = append(head, pick([][]string{infoLines, retryLines, platformLines}[rng.IntN(3)]))
	}
	for range rng.IntN(4) {
		tail = append(tail, pick([][]string{infoLines, wrapperLines, platformLines}[rng.IntN(3)]))
	}
	out := append(append(append([]string{}, head...), lines...), tail...)
	if rng.IntN(2) == 0 {
		for i := range out {
			if rng.IntN(3) == 0 {
				out[i] = "\x1b[3" + fmt.Sprint(rng.IntN(8)) + "m" + out[i] + "\x1b[0m"
			}
		}
	}
	streams := make([]Stream, len(out))
	stream := Stream(rng.IntN(3))
	for i := range streams {
		streams[i] = stream // one stream for all: every line says as much as before
	}
	return out, streams
}

// TestAnswerDoesNotDependOnSurroundings holds invariants 1 and 2 on every
// case whose answer names a cause: adding platform, wrapper, INFO and
// retried WARNING lines around its log, colour codes and a stream leaves
// the message and category as they were. The seed is printed on failure;
// EXTRACT_SEED=<seed> replays it.
func TestAnswerDoesNotDependOnSurroundings(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("EXTRACT_SEED"), 10, 64); err == nil {
		seed = s
	}
	rng := rand.New(rand.NewPCG(seed, 15))
	failures := 0
	for _, c := range allCases(t) {
		want := Extract(c.Lines)
		if c.ExpectNone || want.Specificity != SpecificityCause {
			continue
		}
		for range 8 {
			lines, streams := perturb(rng, c.Lines)
			got := ExtractLines(linesOf(lines, streams))
			if got.Message != want.Message || got.Category != want.Category {
				failures++
				if failures <= 5 {
					t.Errorf("seed %d, case %s: got %q (%s), want %q (%s); log:\n%s", seed, c.ID, got.Message, got.Category, want.Message, want.Category, strings.Join(lines, "\n"))
				}
			}
		}
	}
	if failures > 0 {
		t.Errorf("seed %d: %d perturbed logs changed their answer", seed, failures)
	}
}

func linesOf(texts []string, streams []Stream) []Line {
	out := make([]Line, len(texts))
	for i := range texts {
		out[i] = Line{Text: texts[i], Stream: streams[i]}
	}
	return out
}

// TestRetriedWarningWithNothingFailingAfterIsNoError holds invariant 3,
// and its converse: a failure after the warning keeps it.
func TestRetriedWarningWithNothingFailingAfterIsNoError(t *testing.T) {
	lines := []string{
		"WARNING: upload of part-3 failed with 503 Service Unavailable, will retry in 2s",
		"INFO: part-3 uploaded",
	}
	if got := Extract(lines); got.Found {
		t.Fatalf("got %q, want no error", got.Message)
	}
	if got := Extract(append(lines[:1:1], "Container called exit(1).")); got.Rule != "service_unavailable" {
		t.Fatalf("got %s %q, want the warning the run failed after", got.Rule, got.Message)
	}
}

// TestStderrDecidesOnlyATie holds invariant 4.
func TestStderrDecidesOnlyATie(t *testing.T) {
	lines := []Line{
		{Text: "ERROR: could not read /etc/app/a.conf", Stream: StreamStderr},
		{Text: "ERROR: could not read /etc/app/b.conf", Stream: StreamStdout},
	}
	if got := ExtractLines(lines); got.Line != 0 {
		t.Fatalf("got line %d %q, want the stderr line 0", got.Line, got.Message)
	}
	lines[1] = Line{Text: "PermissionDenied: 403 Permission 'storage.objects.get' denied", Stream: StreamStdout}
	if got := ExtractLines(lines); got.Line != 1 {
		t.Fatalf("got line %d %q, want the stdout line that names a cause", got.Line, got.Message)
	}
	if got, want := ExtractLines([]Line{{Text: "KeyError: 'x'"}}), Extract([]string{"KeyError: 'x'"}); got != want {
		t.Fatalf("ExtractLines %+v, Extract %+v", got, want)
	}
}

// TestReplicaExitIsMoreSpecificThanCloudRunsExitCode holds invariant 5 on
// the example: Cloud Run says the task exited with code 1, the log
// relays Vertex AI's replica line with status 137 (SIGKILL, a resource's
// kill), which says more.
func TestReplicaExitIsMoreSpecificThanCloudRunsExitCode(t *testing.T) {
	cloudRun := "Task 0 exited with code 1 after 3 retries"
	got := Extract([]string{
		"wandb: launch: agent polling on queue vertex-gpu",
		"wandb: ERROR message: The replica workerpool0-0 exited with a non-zero status of 137. Termination reason: Error.",
		"Container called exit(1).",
	})
	if !strings.Contains(got.Message, "status of 137") {
		t.Fatalf("got %q, want the replica line", got.Message)
	}
	if got.Specificity <= Specificity(cloudRun) {
		t.Fatalf("replica line %q graded %d, Cloud Run's %q %d: want the replica line more specific",
			got.Message, got.Specificity, cloudRun, Specificity(cloudRun))
	}
}

func TestSpecificity(t *testing.T) {
	for _, c := range []struct {
		text string
		want int
	}{
		{"pipeline failed", SpecificityNone},
		{"Task 0 exited with code 1 after 3 retries", SpecificityExit},
		{"The replica workerpool0-0 exited with a non-zero status of 1. Termination reason: Error.", SpecificityExit},
		{"Container called exit(2).", SpecificityExit},
		{"Container called exit(137).", SpecificitySignal},
		{"Container terminated on signal 9.", SpecificitySignal},
		{`error Command failed with signal "SIGKILL".`, SpecificitySignal},
		{"The replica workerpool0-0 exited with a non-zero status of 137. Termination reason: Error.", SpecificitySignal},
		{"KeyError: 'label_col'", SpecificityCause},
		{"Memory limit of 512 MiB exceeded with 530 MiB used.", SpecificityCause},
		{"PermissionDenied: 403 Permission 'aiplatform.customJobs.create' denied", SpecificityCause},
		{"The configured timeout was reached.", SpecificityCause},
	} {
		if got := Specificity(c.text); got != c.want {
			t.Errorf("Specificity(%q) = %d, want %d", c.text, got, c.want)
		}
	}
}

// Invariant 1 on a shell script's own tool: git and pip say why in a
// lowercase "fatal: …" or "error: …" line, and the platform's exit line
// after it must not be the answer.
func TestShellToolsLowercaseFatalLineBeatsPlatformExit(t *testing.T) {
	for _, line := range []string{
		"fatal: repository 'https://github.com/acme/etl.git/' not found",
		"fatal: could not read Username for 'https://github.com': No such device or address",
		"error: externally-managed-environment",
	} {
		got := Extract([]string{"+ git clone https://github.com/acme/etl.git /work", line, "Container called exit(128)."})
		if got.Message != line {
			t.Errorf("got %q (rule %s), want the tool's line %q", got.Message, got.Rule, line)
		}
	}
}

// Invariant 5 in the choice itself: a line that calls itself an error but
// names no cause ("Unexpected error in launch agent", a build's "error: 0
// errors") says less than a kill by a signal, the replica's status 137 or
// the platform's signal 9, and must not be chosen over it.
func TestErrorLineNamingNoCauseDoesNotBeatAKill(t *testing.T) {
	replica := "The replica workerpool0-0 exited with a non-zero status of 137. Termination reason: Error."
	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{"wandb: launch: Launching run in Vertex AI", "wandb: ERROR Job failed: JobState.JOB_STATE_FAILED", "wandb: ERROR message: " + replica,
			"ERROR:root:Unexpected error in launch agent", "Container called exit(1)."}, replica},
		{[]string{"Launching run", replica, "ERROR: Launch agent crashed", "Container called exit(1)."}, replica},
		{[]string{"+ make", "error: 0 errors, 2 warnings", "Container terminated on signal 9."}, "Container terminated on signal 9."},
	} {
		got := Extract(c.lines)
		if !strings.Contains(got.Message, c.want) {
			t.Errorf("got %q (rule %s), want %q\nlog: %q", got.Message, got.Rule, c.want, c.lines)
		}
	}
}

// Invariant 3 with an ERROR line: a line the program retried from (it went
// on, "step 100 done") did not end the run, however well it says how; the
// replica's kill or the platform's signal that came after it did.
func TestRetriedErrorLineDoesNotBeatTheKillThatEndedTheRun(t *testing.T) {
	replica := "The replica workerpool0-0 exited with a non-zero status of 137. Termination reason: Error."
	for _, c := range []struct {
		retried, end, want string
	}{
		{"ERROR: lease not acquired, retrying in 2s", replica, replica},
		{"ERROR: lease not acquired, will retry", replica, replica},
		{"error: lock held by another worker; retrying (attempt 2/5)", replica, replica},
		{"error: lock held by another worker; retrying (attempt 2/5)", "Container terminated on signal 9.", "Container terminated on signal 9."},
	} {
		lines := []string{"start", c.retried, "step 100 done", c.end}
		if c.end == replica {
			lines = append(lines, "Container called exit(1).")
		}
		if got := Extract(lines); got.Message != c.want {
			t.Errorf("got %q (rule %s), want %q\nlog: %q", got.Message, got.Rule, c.want, lines)
		}
	}
}
