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
