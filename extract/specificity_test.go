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
