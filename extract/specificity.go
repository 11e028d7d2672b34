package extract

import (
	"regexp"
	"strings"
)

// How much a reason for a failure tells, as Specificity grades it: the app
// shows the more specific of the extractor's line and Cloud Run's own
// reason, judged by what each says, not by where it came from.
const (
	SpecificityNone   = 0 // says that something failed, not how: "pipeline failed"
	SpecificityExit   = 1 // an exit status: "task 0 exited with code 1"
	SpecificitySignal = 2 // a signal, or a status that means one (128+N): "exit(137)", "signal 6", "SIGKILL"
	SpecificityCause  = 3 // names an error, an exception, a permission, a resource or a limit
)

var (
	// signalWords: a signal by number or name, bash's "Killed", or an exit
	// status of 129–255, which a shell and Cloud Run give a process that a
	// signal ended (137: SIGKILL, the memory limit's kill; 139: SIGSEGV).
	signalWords = regexp.MustCompile(`(?i)\bsignal:? \d+|(?-i:\bSIG[A-Z]{3,}\b)|\bKilled\b|(?:\bstatus|\bcode|\bexit|exit\(|exitcode:) ?(?:of )?-?(?:129|1[3-9]\d|2[0-4]\d|25[0-5])\b|exitcode: -\d+`)
	// exitWords: an exit status, whatever its number.
	exitWords = regexp.MustCompile(`(?i)\b(?:exit(?:ed)?|status|exit code|exitcode)\b\W{0,3}(?:with )?(?:a )?(?:non-?zero|code|status)?\W{0,3}(?:of )?-?\d+|exit\(\d+\)|\bnon-?zero (?:status|exit)`)
)

// Specificity grades how much a reason for a failure tells, from
// SpecificityNone to SpecificityCause: a line a rule about causes reads
// names a cause; otherwise a signal says more than an exit status, which
// says more than "failed". The extractor's Result carries the grade of its
// message; the app compares it with Specificity of Cloud Run's reason.
func Specificity(text string) int {
	s, _ := normalize(text)
	found := keywords.find(s)
	for i, r := range rules {
		if found.rules&(1<<i) != 0 && !r.vague && r.re.MatchString(s) {
			return SpecificityCause
		}
	}
	if rules[genericErrorRule].re.MatchString(s) && !found.has(flagBare) {
		// A program's own error line with a message says how: "ERROR:
		// relation "orders" does not exist", "CRITICAL: disk /data is
		// full"; "ERROR Job failed: JOB_STATE_FAILED" only that it failed.
		return SpecificityCause
	}
	switch {
	case signalWords.MatchString(s):
		return SpecificitySignal
	case exitWords.MatchString(s):
		return SpecificityExit
	}
	return SpecificityNone
}

// bareWords say that something failed or exited, not how.
var bareWords = []string{"failed", "failure", "fails", "exited", "exit code", "exit status", "non-zero", "nonzero",
	"aborted", "unsuccessful", "error running", "terminated", "exit(", "crash", "unexpected error", "unknown error",
	"went wrong"}

// mayNameKill reports, cheaply, whether text may match signalWords: it
// holds "sig", "killed", a negative exitcode or a number from 129 to 255. Most exit lines hold
// none, and signalWords costs far more than this scan.
func mayNameKill(text string) bool {
	if lower := lowerASCII(text); strings.Contains(lower, "killed") || strings.Contains(lower, "sig") || strings.Contains(lower, "exitcode: -") {
		return true
	}
	for i := 0; i < len(text); {
		if text[i] < '0' || text[i] > '9' {
			i++
			continue
		}
		n, j := 0, i
		for ; j < len(text) && text[j] >= '0' && text[j] <= '9' && n < 1000; j++ {
			n = n*10 + int(text[j]-'0')
		}
		if n >= 129 && n <= 255 {
			return true
		}
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		i = j
	}
	return false
}
