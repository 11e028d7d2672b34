package lifecycle

import "testing"

func TestFingerprintMasksWhatVaries(t *testing.T) {
	same := [][2]string{
		{`Quota exceeded for quota metric 'A100 GPUs' in region us-central1: 8 > 4`, `Quota exceeded for quota metric 'H100 GPUs' in region europe-west4: 16 > 8`},
		{`FileNotFoundError: [Errno 2] No such file or directory: '/data/run-41/x.csv'`, `FileNotFoundError: [Errno 2] No such file or directory: '/data/run-42/y.csv'`},
		{`403 GET https://storage.googleapis.com/b/o?x=1: denied`, `403 GET https://storage.googleapis.com/c/d: denied`},
		{`job 7f3a9c2e1b failed at step 1200`, `job 0b1c2d3e4f failed at step 99`},
	}
	for _, p := range same {
		if Fingerprint("r", p[0]) != Fingerprint("r", p[1]) {
			t.Errorf("not grouped:\n %s → %s\n %s → %s", p[0], Masked(p[0]), p[1], Masked(p[1]))
		}
	}
	differ := [][2]string{
		{`ModuleNotFoundError: No module named 'x'`, `ImportError: cannot import name 'x'`},
		{`CUDA out of memory`, `Permission denied on bucket`},
	}
	for _, p := range differ {
		if Fingerprint("r", p[0]) == Fingerprint("r", p[1]) {
			t.Errorf("grouped: %q and %q", p[0], p[1])
		}
	}
	if Fingerprint("a", "x") == Fingerprint("b", "x") {
		t.Error("the rule is not part of the fingerprint")
	}
}

// A relative path is masked whole, as an absolute one is: two runs that
// differ only by their first folder are one kind of error. Words with one
// slash and no file extension ("a/b testing", "and/or") are not paths.
func TestFingerprintMasksRelativePaths(t *testing.T) {
	same := [][2]string{
		{`FileNotFoundError: exp_alpha/ckpt/model.pt`, `FileNotFoundError: exp_beta/ckpt/model.pt`},
		{`cannot open exp_alpha/config.yaml for reading`, `cannot open exp_beta/config.yaml for reading`},
		{`load failed: ./runs/alpha/weights.bin`, `load failed: ./runs/beta/weights.bin`},
		{`missing shard data/train/part-a`, `missing shard data/eval/part-b`},
	}
	for _, p := range same {
		if Fingerprint("r", p[0]) != Fingerprint("r", p[1]) {
			t.Errorf("not grouped:\n %s → %s\n %s → %s", p[0], Masked(p[0]), p[1], Masked(p[1]))
		}
	}
	kept := map[string]string{
		`a/b testing failed for cohort`:              `a/b testing failed for cohort`,
		`read and/or write denied`:                   `read and/or write denied`,
		`TCP/IP connection reset by peer`:            `TCP/IP connection reset by peer`,
		`cannot open exp_alpha/config.yaml`:          `cannot open <path>`,
		`FileNotFoundError: exp_alpha/ckpt/model.pt`: `FileNotFoundError: <path>`,
	}
	for line, want := range kept {
		if got := Masked(line); got != want {
			t.Errorf("Masked(%q) = %q, want %q", line, got, want)
		}
	}
}
