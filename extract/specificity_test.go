package extract

import "testing"

func TestSignalNamesAreUpperCaseOnly(t *testing.T) {
	for text, want := range map[string]int{
		"task 0 was killed by SIGKILL":              SpecificitySignal,
		"upload failed: bad signature for object x": SpecificityNone,
		"a significant step failed":                 SpecificityNone,
	} {
		if got := Specificity(text); got != want {
			t.Errorf("Specificity(%q) = %d, want %d", text, got, want)
		}
	}
}

// A wrapper's line that gives only a failed state, as the launcher prints
// it ("JOB_STATE_FAILED", "TASK_FAILED"), says that something failed, not
// how, as "ERROR Job failed: JOB_STATE_FAILED" does: it must not grade as
// a cause, or it replaces Cloud Run's exit code or signal in the app.
func TestFailedStateLineSaysOnlyThatItFailed(t *testing.T) {
	for _, text := range []string{
		"ERROR: Vertex job ended in state JOB_STATE_FAILED",
		"ERROR: task 3 ended with status=TASK_FAILED",
		"ERROR Job failed: JOB_STATE_FAILED",
	} {
		if got := Specificity(text); got >= SpecificityCause {
			t.Errorf("Specificity(%q) = %d, want below SpecificityCause (%d)", text, got, SpecificityCause)
		}
	}
}

// mayNameKill never says no where signalWords says yes.
func TestKillPrefilterKeepsEverySignalLine(t *testing.T) {
	for _, text := range []string{
		"The replica workerpool0-0 exited with a non-zero status of 137.", "Container terminated on signal 9.",
		"task 0 was killed by SIGKILL", "Killed", "exit(139)", "failed (exitcode: -9) local_rank: 0", "status 255",
		"exited with code 1", "Container called exit(1).", "status 1280", "code 12",
	} {
		if signalWords.MatchString(text) && !mayNameKill(text) {
			t.Errorf("%q names a kill, the prefilter says not", text)
		}
	}
}
