package extract

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBailoutPrefersMostSpecificCauseNotFirstLine(t *testing.T) {
	lines := []string{
		"▶️ Starting agent",
		"google.api_core.exceptions.ResourceExhausted: 429 The following quota metrics exceed quota limits: aiplatform.googleapis.com/custom_model_training_nvidia_l4_gpus",
		"wandb: ERROR launch: Error running job: Traceback (most recent call last):",
		"wandb: ERROR ValueError: job failed upstream",
		"🚨 FATAL ERROR DETECTED: gcloud returned an error",
		"❌ Killing agent (PID 12)...",
		"Container called exit(1).",
	}
	got := Extract(lines)
	if got.Rule != "quota" || got.Line != 1 {
		t.Fatalf("got %s at line %d (%q), want the quota line 1", got.Rule, got.Line, got.Message)
	}
}

func TestBailoutFallsBackToWrapperReason(t *testing.T) {
	lines := []string{
		"ℹ️ Retrying on error: false",
		"⏳ Monitoring for fatal errors...",
		"🚨 FATAL ERROR DETECTED: agent exited during startup",
		"❌ Killing agent (PID 88)...",
		"🛑 Wrapper exiting with status 1",
		"Container called exit(1).",
	}
	got := Extract(lines)
	if got.Rule != ruleWrapperFatal || got.Message != "agent exited during startup" {
		t.Fatalf("got %s %q, want the wrapper's reason", got.Rule, got.Message)
	}
}

func TestBailoutIgnoresOldErrorsOutsideItsContext(t *testing.T) {
	lines := []string{"google.api_core.exceptions.PermissionDenied: 403 an hour-old retry that recovered"}
	for i := 0; i < windowBefore+10; i++ {
		lines = append(lines, fmt.Sprintf("💓 Agent alive — idle %d/30 min", i))
	}
	lines = append(lines, "ValueError: learning rate must be positive", "🚨 FATAL ERROR DETECTED: agent crashed")
	got := Extract(lines)
	if got.Rule != "python_exception" || !strings.Contains(got.Message, "learning rate") {
		t.Fatalf("got %s %q, want the exception next to the bailout", got.Rule, got.Message)
	}
}

func TestRelayedWandbTracebackGivesLastException(t *testing.T) {
	lines := []string{
		"wandb: ERROR launch: Error running job: Traceback (most recent call last):",
		`wandb: ERROR   File "/usr/local/lib/python3.10/site-packages/wandb/sdk/launch/agent/agent.py", line 505, in task_run_job`,
		"wandb: ERROR     await self._task_run_job(",
		"wandb: ERROR KeyError: 'image_uri'",
	}
	got := Extract(lines)
	if got.Message != "KeyError: 'image_uri'" || got.Category != CategoryPythonException {
		t.Fatalf("got %s %q", got.Category, got.Message)
	}
}

func TestChainedExceptionGivesTheLastOne(t *testing.T) {
	lines := []string{
		"Traceback (most recent call last):",
		`  File "a.py", line 1, in <module>`,
		"KeyError: 'lr'",
		"",
		"During handling of the above exception, another exception occurred:",
		"",
		"Traceback (most recent call last):",
		`  File "a.py", line 3, in <module>`,
		"RuntimeError: config is missing lr",
	}
	if got := Extract(lines); got.Message != "RuntimeError: config is missing lr" || got.Line != 8 {
		t.Fatalf("got %q at %d", got.Message, got.Line)
	}
}

func TestTracebackEscapedIntoOneLine(t *testing.T) {
	line := `launch: Error running job: Traceback (most recent call last):\n  File "/app/train.py", line 9, in <module>\n    main()\nValueError: batch size 0 is not allowed\n`
	got := Extract([]string{line})
	if got.Message != "ValueError: batch size 0 is not allowed" || got.Line != 0 {
		t.Fatalf("got %q (%s)", got.Message, got.Rule)
	}
	if strings.Contains(got.Message, "Traceback") {
		t.Fatalf("message holds the traceback header: %q", got.Message)
	}
}

func TestJSONLinesUseMessageAndSeverity(t *testing.T) {
	lines := []string{
		`{"severity": "INFO", "message": "retrying after error: none so far"}`,
		`{"severity": "ERROR", "message": "ERROR: lost connection to the launch queue \"vertex-gpu\""}`,
		`{"severity": "DEBUG", "message": "tick", "error_count": 0}`,
	}
	got := Extract(lines)
	if got.Line != 1 || got.Message != `ERROR: lost connection to the launch queue "vertex-gpu"` {
		t.Fatalf("got %q at %d", got.Message, got.Line)
	}
}

func TestInfoLinesAreNeverErrors(t *testing.T) {
	lines := []string{
		"⏱️ Idle timeout: 30 minutes",
		"⏳ Monitoring for fatal errors...",
		"ℹ️ Retrying on error: false",
		"🔍 Checking for fatal error patterns... none",
		"Watching for errors in the agent output",
		"Looking for error patterns in 3 files",
		"ℹ️ Errors: 0",
		"Errors: 0",
		"Retrying on error: false",
		"step 500/5000 loss=0.31",
		"Downloaded 500 MB base image layer cache",
		"[2024-05-14 10:05:03.503] training epoch 3",
		"2024-05-14T10:05:03.500Z heartbeat",
		"INFO:root:error budget is fine",
		"Container called exit(0).",
		"",
	}
	for _, l := range lines {
		if got := Extract([]string{l}); got.Found {
			t.Errorf("%q read as an error: %s %q", l, got.Rule, got.Message)
		}
	}
}

func TestNothingFoundSaysSo(t *testing.T) {
	for _, lines := range [][]string{nil, {}, {"", "   "}, {"all good", "✅ Wrapper finished"}} {
		got := Extract(lines)
		if got.Found || got.Message != "" || got.Category != "" || got.Line != -1 {
			t.Errorf("%q: got %+v, want nothing found", lines, got)
		}
	}
}

func TestANSICodesAreRemoved(t *testing.T) {
	got := Extract([]string{"\x1b[31mModuleNotFoundError\x1b[0m: No module named \x1b[1m'torch'\x1b[0m"})
	if got.Message != "ModuleNotFoundError: No module named 'torch'" {
		t.Fatalf("got %q", got.Message)
	}
}

func TestInvalidUTF8IsDecodedLeniently(t *testing.T) {
	got := Extract([]string{"\xff\xfe\x00garbage", "/app/run.sh: line 1: /opt/venv/bin/activate: No such file or directory \xc3\x28"})
	if !utf8.ValidString(got.Message) || !strings.Contains(got.Message, "No such file or directory") {
		t.Fatalf("got %q", got.Message)
	}
	if strings.ContainsRune(got.Message, utf8.RuneError) || strings.ContainsRune(got.Message, 0) {
		t.Fatalf("message keeps replacement or NUL characters: %q", got.Message)
	}
}

func TestHugeLineIsBoundedAndStillRead(t *testing.T) {
	huge := "ValueError: " + strings.Repeat("x", 4<<20)
	got := Extract([]string{huge})
	if got.Rule != "python_exception" {
		t.Fatalf("got %s", got.Rule)
	}
	if n := utf8.RuneCountInString(got.Message); n > MaxMessageRunes {
		t.Fatalf("message has %d runes", n)
	}
	if !strings.HasSuffix(got.Message, "…") {
		t.Fatalf("a cut message should say so: %q", got.Message[len(got.Message)-10:])
	}
}

func TestRepeatedLineGivesOneMessage(t *testing.T) {
	var lines []string
	for i := 0; i < 100; i++ {
		lines = append(lines, "RuntimeError: NCCL error in: /opt/pytorch/nccl.cpp:1234")
	}
	got := Extract(lines)
	if got.Message != "RuntimeError: NCCL error in: /opt/pytorch/nccl.cpp:1234" || got.Line != 99 {
		t.Fatalf("got %q at %d", got.Message, got.Line)
	}
}

func TestLongHttpErrorDropsURLKeepsStatusAndReason(t *testing.T) {
	line := `googleapiclient.errors.HttpError: <HttpError 403 when requesting https://aiplatform.googleapis.com/v1/projects/acme-ml-prod/locations/us-central1/customJobs/1234567890123456789:cancel?alt=json returned "Permission 'aiplatform.customJobs.cancel' denied on resource '//aiplatform.googleapis.com/projects/acme-ml-prod'". Details: "[{'@type': 'type.googleapis.com/google.rpc.ErrorInfo'}]">`
	got := Extract([]string{line})
	if !strings.HasPrefix(got.Message, "HttpError 403: Permission 'aiplatform.customJobs.cancel' denied") {
		t.Fatalf("got %q", got.Message)
	}
	if strings.Contains(got.Message, "https://") {
		t.Fatalf("URL kept in a long message: %q", got.Message)
	}
	short := `<HttpError 404 when requesting https://x.googleapis.com/v1/a returned "Not Found">`
	if got := Extract([]string{short}); got.Message != `HttpError 404 when requesting https://x.googleapis.com/v1/a returned "Not Found"` {
		t.Fatalf("short one changed: %q", got.Message)
	}
}

func TestExitCodeOnlyWhenNothingMoreSpecific(t *testing.T) {
	lines := []string{
		"/app/run_agent.sh: line 3: WANDB_QUEUE: unbound variable",
		"❌ Agent process 57 exited unexpectedly (exit code 1)",
		"Container called exit(1).",
	}
	if got := Extract(lines); got.Rule != "shell" {
		t.Fatalf("got %s %q", got.Rule, got.Message)
	}
	if got := Extract(lines[2:]); got.Rule != "container_exit" || got.Category != CategoryExitCode {
		t.Fatalf("got %s", got.Rule)
	}
}

func TestJSONLevelsDefaultAndNumbersAreUnknownNotQuiet(t *testing.T) {
	for _, line := range []string{
		`{"severity":"DEFAULT","message":"ValueError: x"}`,
		`{"message":"ValueError: x","level":50}`,
		`{"severity":"DEFAULT","levelname":"ERROR","message":"ValueError: x"}`,
	} {
		if got := Extract([]string{line}); got.Message != "ValueError: x" {
			t.Errorf("%s: got %q", line, got.Message)
		}
	}
	if got := Extract([]string{`{"severity":"DEFAULT","levelname":"INFO","message":"retry policy: 3 attempts on DEADLINE_EXCEEDED"}`}); got.Found {
		t.Errorf("an INFO line read as the error: %q", got.Message)
	}
}

func TestErrorDumpFieldsAreNotCauses(t *testing.T) {
	for _, l := range []string{
		"reason: IAM_PERMISSION_DENIED",
		"  reason: RATE_LIMIT_EXCEEDED",
		`"status": "PERMISSION_DENIED",`,
		"- '@type': type.googleapis.com/google.rpc.QuotaFailure",
		`- "@type": type.googleapis.com/google.rpc.ErrorInfo`,
		"status: RESOURCE_EXHAUSTED",
		"- description: Quota exceeded for aiplatform.googleapis.com/custom_model_training_cpus",
	} {
		if got := Extract([]string{l}); got.Found {
			t.Errorf("%q read as an error: %s %q", l, got.Rule, got.Message)
		}
	}
}

func TestVagueBailoutReasonYieldsToItsContext(t *testing.T) {
	lines := []string{
		"ERROR: could not reach the launch queue vertex-gpu",
		"❌ Agent process 57 failed",
		"🚨 FATAL ERROR DETECTED: Error running job",
		"❌ Killing agent (PID 57)...",
	}
	if got := Extract(lines); got.Line != 0 {
		t.Fatalf("got %s %q at %d, want the ERROR line", got.Rule, got.Message, got.Line)
	}
}

func TestSpecificBailoutReasonStands(t *testing.T) {
	lines := []string{
		"The replica workerpool0-0 exited with a non-zero status of 1.",
		"🚨 FATAL ERROR DETECTED: ResourceExhausted: 429 Quota exceeded for aiplatform.googleapis.com/custom_model_training_cpus",
		"❌ Killing agent (PID 57)...",
	}
	if got := Extract(lines); got.Rule != "quota" || strings.Contains(got.Message, "FATAL") {
		t.Fatalf("got %s %q, want the quota reason without the marker", got.Rule, got.Message)
	}
}

func TestQuietLinesCountOnlyAsExceptionsAndRankLow(t *testing.T) {
	lines := []string{
		"INFO:root:retry policy: 3 attempts on DEADLINE_EXCEEDED",
		"DEBUG: google.api_core.exceptions.PermissionDenied: 403 Permission 'run.jobs.run' denied on resource 'x'",
		"🚨 FATAL ERROR DETECTED: step failed",
	}
	if got := Extract(lines); got.Line != 1 || got.Rule != "permission" {
		t.Fatalf("got %s %q at %d, want the DEBUG exception", got.Rule, got.Message, got.Line)
	}
	lines = append([]string{"RuntimeError: the job's own failure"}, lines...)
	if got := Extract(lines); got.Line != 0 {
		t.Fatalf("got %s %q at %d, want the loud exception", got.Rule, got.Message, got.Line)
	}
}

func TestRetriedLinesRankBelowTheFailure(t *testing.T) {
	lines := []string{
		"google.api_core.exceptions.ResourceExhausted: 429 Quota exceeded for logging write requests; retrying in 2s",
		"urllib3.connectionpool: Retrying (Retry(total=4)) after connection broken by 'ProtocolError('Connection aborted.')'",
		"KeyError: 'image_uri'",
	}
	if got := Extract(lines); got.Line != 2 {
		t.Fatalf("got %s %q at %d, want the KeyError", got.Rule, got.Message, got.Line)
	}
	if got := Extract(lines[:2]); got.Line != 0 || got.Rule != "quota" {
		t.Fatalf("alone, a retried line still names the cause: got %s %q", got.Rule, got.Message)
	}
}

func TestExceptionWithoutKeywordIsReadAfterItsFrames(t *testing.T) {
	lines := []string{
		"Traceback (most recent call last):",
		`  File "pyarrow/error.pxi", line 91, in pyarrow.lib.check_status`,
		"",
		"pyarrow.lib.ArrowInvalid: Parquet magic bytes not found in footer.",
		"The replica workerpool0-0 exited with a non-zero status of 1.",
	}
	if got := Extract(lines); got.Rule != rulePythonException || got.Line != 3 {
		t.Fatalf("got %s at line %d (%q), want the exception on line 3", got.Rule, got.Line, got.Message)
	}
	// Far from a frame, such a line is chatter.
	if got := Extract([]string{"trainer.data.Loader: read 12 shards"}); got.Found {
		t.Fatalf("got %s %q from a line with no frame before it", got.Rule, got.Message)
	}
}

func TestResultSaysWhetherTheRuleIsVague(t *testing.T) {
	if got := Extract([]string{"ERROR: step failed"}); !got.Found || !got.Vague {
		t.Fatalf("got %s vague=%v, want a vague line", got.Rule, got.Vague)
	}
	if got := Extract([]string{"ValueError: bad config"}); !got.Found || got.Vague {
		t.Fatalf("got %s vague=%v, want a specific line", got.Rule, got.Vague)
	}
}

func TestWarningYieldsOnlyToAnErrorOrException(t *testing.T) {
	warning := "WARNING:google.auth:Quota exceeded for quota metric 'Requests'"
	if got := Extract([]string{warning, "Container called exit(1)."}); got.Rule != "quota" {
		t.Fatalf("alone, the warning is the error; got %s %q", got.Rule, got.Message)
	}
	if got := Extract([]string{warning, "ERROR: training step failed: see above"}); got.Line != 1 {
		t.Fatalf("an ERROR line outranks a WARNING; got %s %q", got.Rule, got.Message)
	}
}

// Logs in the spirit of the extractor's classes that its test sets do not
// hold: each case names the principle it follows.
// Found by the review of issue 8.
func TestExtractorFollowsItsPrinciplesOnUnseenLogs(t *testing.T) {
	tb := []string{
		"Traceback (most recent call last):",
		`  File "/app/train.py", line 10, in <module>`,
		"    main()",
	}
	cases := []struct {
		name, principle string
		lines           []string
		want            string
	}{
		{"backoff-library-warning-after-traceback",
			"the final traceback's exception beats a retried warning (the backoff library's \"Backing off … for Ns (exc)\")",
			append(append([]string{}, tb...),
				"ValueError: num_classes must be positive, got 0",
				"WARNING:backoff:Backing off upload_metrics(...) for 1.4s (google.api_core.exceptions.TooManyRequests: 429 Quota exceeded for quota metric 'Write requests')"),
			"num_classes must be positive"},
		{"backing-off-quota-warning-before-traceback",
			"the final traceback's exception beats a retried WARNING",
			append([]string{"WARNING:google.auth:Quota exceeded for quota metric 'Requests' of service 'storage.googleapis.com'; backing off"},
				append(append([]string{}, tb...), "KeyError: 'image_uri'")...),
			"KeyError: 'image_uri'"},
		{"json-levelname-warning-retry-vs-error",
			"levelname is honoured: a WARNING the program retried from does not outrank an ERROR exception",
			[]string{
				`{"levelname":"WARNING","message":"503 Service Unavailable, retry 1/3"}`,
				`{"levelname":"ERROR","message":"RuntimeError: dataset is empty"}`,
			},
			"RuntimeError: dataset is empty"},
		{"json-severity-warning-quota-before-traceback",
			"a severity WARNING line did not end the run; the final exception did",
			append([]string{`{"severity":"WARNING","message":"ResourceExhausted: 429 Quota exceeded for aiplatform.googleapis.com/online_prediction_requests"}`},
				append(append([]string{}, tb...), "ValueError: embeddings dimension mismatch: 768 vs 1024")...),
			"embeddings dimension mismatch"},
		{"json-level-warning-will-back-off",
			"level is honoured: level=warning vs level=error",
			[]string{
				`{"level":"warning","message":"quota exceeded for metric x; will back off"}`,
				`{"level":"error","message":"ValueError: learning rate must be positive"}`,
			},
			"learning rate must be positive"},
		{"json-zap-error-field",
			"JSON lines are read with their level: zap/logrus put the cause in \"error\"",
			[]string{`{"level":"error","msg":"upload failed","error":"googleapi: Error 403: caller does not have storage.objects.create access to the Google Cloud Storage object., forbidden"}`},
			"storage.objects.create"},
		{"json-python-json-logger-exc-info",
			"a JSON line's traceback (python-json-logger's exc_info) is read like an escaped one",
			[]string{`{"levelname":"CRITICAL","message":"Unhandled exception","exc_info":"Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in <module>\nZeroDivisionError: division by zero"}`},
			"ZeroDivisionError"},
		{"ansi-sgr-colon-subparameters",
			"ANSI is stripped (ECMA-48 SGR with ':' subparameters, e.g. 256-colour \\e[38:5:196m)",
			[]string{"\x1b[38:5:196mValueError: bad config\x1b[0m"},
			"ValueError: bad config"},
	}
	for _, c := range cases {
		got := Extract(c.lines)
		if !got.Found || !strings.Contains(got.Message, c.want) {
			t.Errorf("%s (%s):\n  got  %s %q\n  want a message with %q", c.name, c.principle, got.Rule, got.Message, c.want)
		}
	}
}
