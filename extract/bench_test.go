package extract

import "testing"

// logOf repeats the corpus logs, which are mostly chatter with one error,
// until it has n lines.
func logOf(b testing.TB, n int) []string {
	var all []string
	for _, c := range loadCorpus(b) {
		all = append(all, c.Lines...)
	}
	lines := make([]string, 0, n)
	for len(lines) < n {
		lines = append(lines, all[:min(len(all), n-len(lines))]...)
	}
	return lines
}

// BenchmarkExtract300 is a typical execution log: the poller reads the
// newest 300 entries. Target: under 100 µs.
func BenchmarkExtract300(b *testing.B) {
	lines := logOf(b, 300)
	b.ResetTimer()
	for b.Loop() {
		Extract(lines)
	}
}

// BenchmarkExtract100k is a pathological log. Target: under 400 × the 300-line figure.
func BenchmarkExtract100k(b *testing.B) {
	lines := logOf(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		Extract(lines)
	}
}
