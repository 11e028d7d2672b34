package extract

import (
	"strings"
	"testing"
	"unicode"
)

// Review of issue 8: inputs in the spirit of the classes that the
// test sets do not hold. Each case names the principle it tests.
func TestReview8ExtractorGeneralises(t *testing.T) {
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

// Claim: the message is plain text, one line, safe from untrusted text. A
// log line can carry Unicode format controls (a right-to-left override
// reverses what follows on screen, as in "\u202egnp.exe") straight into a
// notification and the tray.
func TestReview8MessageHasNoFormatControls(t *testing.T) {
	got := Extract([]string{"ValueError: invalid file \u202egnp.exe\u200b\ufeff"})
	for _, r := range got.Message {
		if unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Cc, r) {
			t.Fatalf("message %q holds the control %U", got.Message, r)
		}
	}
}
