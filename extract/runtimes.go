package extract

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
)

// crashShape is how one runtime prints the crash of a program: where the
// line that says why sits. A program's crash names its cause better than
// the platform's exit line after it, so the extractor reads each shape in
// the table below; a new runtime is a new entry (and its test), not new
// code.
//
// The message a shape finds becomes a unit of its own, read by every rule
// about causes (a permission, a missing file, a timeout…); the crash-shape
// rules of other runtimes (python_exception, go_panic, node_error) do not
// read it, and when no rule does, it is the runtime's crash (ruleCrash) of
// the shape's category.
type crashShape struct {
	name     string
	category Category // of a crash that no rule about causes reads
	rule     string   // the rule that reads such a crash when no rule about causes does; ruleCrash when empty
	// head matches the line a crash report starts with (after its prefixes
	// are stripped). Its group "msg" is the message; "class", when set, is
	// the exception's class printed after it (Ruby), put before it.
	head *regexp.Regexp
	// next, when set, matches the line after head, which holds the message
	// (group "msg") when head holds none: Rust's payload, C++'s what().
	next *regexp.Regexp
	// framed: head counts only when a stack frame ("    at …") follows it
	// within frameLookahead lines, as Node's and the JVM's exception lines,
	// whose words alone could be anyone's; or when its group "lead" says
	// what it is ("Caused by: ").
	framed bool
	// link matches a line that chains a further exception to the report
	// (Java's "Caused by:", .NET's "--->", Python's "During handling of the
	// above exception…"): the exception the report printed before it is
	// only context, the one after it says what ended the run.
	link *regexp.Regexp
	// words gate head and link: a line holds one of them before they run.
	words []string
}

// crashShapes are the runtimes whose crash the extractor reads by its shape.
// CPython's comes first: its exception is found by its place after the
// traceback's frames (see Extract), whatever its class is called.
var crashShapes = []crashShape{
	// CPython: the traceback's last line, "KeyError: 'lr'"; a chained traceback
	// ("During handling of the above exception, another exception occurred:")
	// ends with the exception that ended the run.
	{name: "python", category: CategoryPythonException,
		link:  regexp.MustCompile(`(?i)^(?:During handling of the above exception|The above exception was the direct cause)`),
		words: []string{"during handling of the above", "the above exception was"}},
	// Java, Kotlin: "Exception in thread "main" java.lang.IllegalStateException: …",
	// an exception line above "\tat …" frames, and its deepest
	// "Caused by: org.postgresql.util.PSQLException: FATAL: …".
	{name: "jvm", category: CategoryExitCode,
		head:   regexp.MustCompile(`^(?P<msg>(?P<lead>Exception in thread "[^"]*" |Caused by: )?(?:[a-z_][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Failure)\b.*)`),
		framed: true,
		link:   regexp.MustCompile(`^Caused by: `),
		words:  []string{"caused by: ", "exception in thread"}},
	// Go: "panic: open /etc/app.conf: no such file or directory" before the
	// goroutine dump; the runtime's "fatal error: all goroutines are asleep".
	{name: "go", category: CategoryExitCode, rule: "go_panic",
		head:  regexp.MustCompile(`^(?P<msg>(?:panic|fatal error): .*\S)`),
		words: []string{"panic: ", "fatal error: "}},
	// Rust: "thread 'main' panicked at src/main.rs:12:5:" and the message on
	// the next line (Rust 1.73 on); before, "thread 'main' panicked at 'msg', src/main.rs:12:5".
	{name: "rust", category: CategoryExitCode,
		head:  regexp.MustCompile(`^thread '[^']*' panicked at (?:'(?P<msg>.*)', [^\s']+:\d+:\d+$|[^\s']+:\d+:\d+:$)`),
		next:  regexp.MustCompile(`^(?P<msg>.*\S)`),
		words: []string{"panicked at "}},
	// Node.js: an unhandled rejection's reason, at the end of a long line
	// ("…The promise rejected with the reason "authorization required".] {"),
	// and an error line above its "    at …" frames ("TypeError: Cannot read properties of undefined (reading 'map')").
	{name: "node", category: CategoryExitCode,
		head:   regexp.MustCompile(`(?:\b(?P<lead>The promise rejected with the reason )"(?P<msg>.*)"\.?\]|^(?:Uncaught )?(?P<msg>(?:[A-Z]\w*)?Error(?: \[\w+\])?: .*\S))`),
		framed: true,
		words:  []string{`the reason "`}},
	// Ruby: "/app/lib/report.rb:12:in 'Report#fetch_rows': undefined method 'each' for nil (NoMethodError)",
	// read as "NoMethodError: undefined method 'each' for nil".
	{name: "ruby", category: CategoryExitCode,
		head:  regexp.MustCompile("^\\S+:\\d+:in [`'][^`']+': (?P<msg>.*\\S) \\((?P<class>[A-Z][\\w:]*)\\)$"),
		words: []string{":in `", ":in '"}},
	// .NET: "Unhandled exception. System.AggregateException: One or more errors occurred. (…)"
	// and its inner exception, " ---> Microsoft.Data.SqlClient.SqlException (0x80131904): Login failed for user 'etl'."
	{name: "dotnet", category: CategoryExitCode,
		head:  regexp.MustCompile(`^(?:Unhandled exception\. |---> )(?:[A-Z]\w*\.)*(?P<msg>[A-Z]\w*(?:Exception|Error)\b.*\S)`),
		link:  regexp.MustCompile(`^---> `),
		words: []string{"unhandled exception. ", "---> "}},
	// C++: "terminate called after throwing an instance of 'std::bad_alloc'"
	// and "  what():  std::bad_alloc" on the next line.
	{name: "cpp", category: CategoryExitCode,
		head:  regexp.MustCompile(`^terminate called after throwing an instance of '(?P<class>[^']+)'$`),
		next:  regexp.MustCompile(`^what\(\):\s+(?P<msg>.*\S)`),
		words: []string{"terminate called after"}},
	// dbt: "Database Error in model fct_orders (models/marts/fct_orders.sql)"
	// and the database's words on the next line; a database that refused a
	// model's SQL found it invalid, unless the rules read more.
	{name: "dbt", category: CategoryInvalidArgument,
		head:  regexp.MustCompile(`^(?:Database|Runtime|Compilation) Error in (?:model|test|seed|snapshot|macro|sql operation) \S+`),
		next:  regexp.MustCompile(`^(?P<msg>.*\S)`),
		words: []string{"database error in ", "runtime error in ", "compilation error in "}},
}

// frameLookahead is how far below a framed head its first frame may be:
// Node's execSync error prints the command's stderr between them.
const frameLookahead = 4

// stackFrame matches a frame of a Node, JVM or .NET stack trace.
var stackFrame = regexp.MustCompile(`^\s+at \S`)

// pythonShape is the index of CPython's shape in crashShapes.
const pythonShape = 0

// fallback is the index of the rule that reads a crash of shape k when no
// rule about causes does.
func fallback(k int) int {
	name := cmp.Or(crashShapes[k].rule, ruleCrash)
	return slices.IndexFunc(rules, func(r rule) bool { return r.name == name })
}

// shapeWords are every shape's words, which the keyword scan flags.
func shapeWords() []string {
	var words []string
	for _, s := range crashShapes {
		words = append(words, s.words...)
	}
	return words
}

// crashAt reads the crash report that line i of lines starts, if any,
// for the shape s: its message, and whether s could read it. text is the
// line's parsed text.
func (s *crashShape) crashAt(text string, lines []string, i int) (msg string, at int, ok bool) {
	if s.head == nil {
		return "", i, false
	}
	m := s.head.FindStringSubmatch(text)
	if m == nil {
		return "", i, false
	}
	if j := s.head.SubexpIndex("lead"); s.framed && (j < 0 || m[j] == "") && !framedBelow(lines, i) {
		return "", i, false
	}
	for j, name := range s.head.SubexpNames() {
		if name == "msg" && m[j] != "" {
			msg = m[j]
		}
	}
	class := ""
	if j := s.head.SubexpIndex("class"); j > 0 {
		class = m[j]
	}
	at = i
	if msg == "" && s.next != nil {
		msg, at = s.nextMessage(lines, i)
	}
	switch {
	case msg == "" && class == "":
		return "", i, false
	case msg == "" || msg == class:
		return class, at, true
	case class != "":
		return class + ": " + msg, at, true
	}
	return msg, at, true
}

// nextMessage returns the message on the first non-blank line after line
// i, and that line's index.
func (s *crashShape) nextMessage(lines []string, i int) (string, int) {
	for j := i + 1; j < min(i+3, len(lines)); j++ {
		text, _ := normalize(lines[j])
		if text == "" {
			continue
		}
		if m := s.next.FindStringSubmatch(text); m != nil {
			return m[s.next.SubexpIndex("msg")], j
		}
		break
	}
	return "", i
}

// framedBelow reports whether a stack frame follows line i closely.
func framedBelow(lines []string, i int) bool {
	for _, raw := range lines[i+1 : min(i+1+frameLookahead, len(lines))] {
		raw = skipColours(raw) // a frame in colour
		if raw != "" && (raw[0] == ' ' || raw[0] == '\t') && strings.HasPrefix(strings.TrimLeft(raw, " \t"), "at ") && stackFrame.MatchString(raw) {
			return true
		}
	}
	return false
}

// skipColours drops the ANSI colour sequences ("\x1b[31m") a line starts
// with: enough to see what its text starts with, at a fraction of strip's
// cost, for a line looked at again and again.
func skipColours(raw string) string {
	for strings.HasPrefix(raw, "\x1b[") {
		end := strings.IndexFunc(raw[2:], func(r rune) bool { return r >= '@' && r <= '~' })
		if end < 0 {
			return raw
		}
		raw = raw[2+end+1:]
	}
	return raw
}
