package poller

import (
	"os"
	"testing"
)

// TestMain doubles as the writer TestKilledWriterLeavesAReadableMemory
// kills, when RUNWATCH_TEST_WRITER names a memory file.
func TestMain(m *testing.M) {
	if path := os.Getenv("RUNWATCH_TEST_WRITER"); path != "" {
		writeMemoryForever(path)
		os.Exit(0)
	}
	os.Exit(m.Run())
}
