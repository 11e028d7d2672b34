package extract

import (
	"regexp"
	"strings"
)

// Category says what kind of failure a message reports.
type Category string

// The categories a Result can carry.
const (
	CategoryQuota              Category = "quota"
	CategoryMachineType        Category = "machine_type"
	CategoryPermission         Category = "permission"
	CategoryNotFound           Category = "not_found"
	CategoryInvalidArgument    Category = "invalid_argument"
	CategoryServiceUnavailable Category = "service_unavailable"
	CategoryHTTPError          Category = "http_error"
	CategoryImagePull          Category = "image_pull"
	CategoryPythonException    Category = "python_exception"
	CategoryWandb              Category = "wandb"
	CategoryOOM                Category = "oom"
	CategoryTimeout            Category = "timeout"
	CategoryExitCode           Category = "exit_code"
	CategoryShell              Category = "shell"
	CategoryUnknown            Category = "unknown"
)

// rule recognises one kind of error line. Of two rules equally vague, the
// one higher in the table is the more specific cause; compareTries says
// what else decides between lines.
type rule struct {
	name     string
	category Category
	// keywords: the line must contain one of them (ASCII case-insensitive)
	// before re runs; they make the scan cheap.
	keywords []string
	// re must match the cleaned line; a group named "msg" narrows the message.
	re *regexp.Regexp
	// format, when set, builds the message from re's submatches.
	format func(m []string) string
	// vague: the line says that something failed, not why; any rule
	// that names a cause beats it wherever it stands in the table.
	vague bool
}

// ruleWrapperFatal is the name of the launcher wrapper's own verdict, which
// only stands when nothing in its context says more.
const ruleWrapperFatal = "wrapper_fatal"

// rulePythonException reads a traceback's last line, also one that only
// its place after the frames marks as an exception.
const rulePythonException = "python_exception"

// ruleCrash reads the message of a runtime's crash report (see
// crashShapes) when no rule about causes does.
const ruleCrash = "runtime_crash"

// grpcStatus matches a gRPC status in the words of Go's and .NET's
// clients ("rpc error: code = PermissionDenied desc = …",
// `Status(StatusCode="PermissionDenied", Detail="…")`) for the named codes.
func grpcStatus(codes string) string {
	return `.*(?:\bcode = |StatusCode="?)(?:` + codes + `)\b.*`
}

// httpStatus matches an HTTP status in the words of clients that give
// only its number: Go's "googleapi: Error 404: …", Rust reqwest's
// "Status(403)", for the statuses matched by codes.
func httpStatus(codes string) string {
	return `.*(?:\bgoogleapi: Error |\bStatus\()(?:` + codes + `)\b.*`
}

// rules is ordered from the most specific cause to the most generic; each
// entry says what prints such lines, with an example.
var rules = []rule{
	// W&B SDK when its backend refuses a call: "Error while calling W&B API: permission denied (<Response [403]>)".
	{name: "wandb_api_call", category: CategoryWandb, keywords: []string{"w&b api"},
		re: regexp.MustCompile(`(?i)(?P<msg>error (?:while )?calling w&b api.*)`)},
	// The W&B client giving up on its backend: "wandb.errors.CommError: Run initialization has timed out after 90.0 sec.", "launch: Not all of requested queues (vertex-h100) found".
	{name: "wandb_comm", category: CategoryWandb, keywords: []string{"commerror", "run initialization has timed out", "not all of requested queues", "could not find queue", "could not find run queue"},
		re: regexp.MustCompile(`(?i)(?P<msg>(?:wandb\.errors\.)?CommError: .*|.*\bRun initialization has timed out\b.*|.*\bNot all of requested queues\b.*|.*\bCould not find (?:run )?queue\b.*)`)},
	// Vertex AI rejecting an accelerator/machine pairing: `Accelerator "NVIDIA_TESLA_T4" is not supported for machine type "e2-standard-8"`; JAX on a machine without the accelerator it was told to use: "RuntimeError: Backend 'tpu' failed to initialize: UNAVAILABLE: No TPU Platform available.".
	{name: "machine_type", category: CategoryMachineType, keywords: []string{"not supported", "not available", "not compatible", "incompatible", "unsupported", "does not support", "cannot be used", "invalid machine", "invalid accelerator", "machine type with name", "resource.machinetype", "platform available"},
		re: regexp.MustCompile(`(?i)(?:(?:InvalidArgument|FailedPrecondition): \d{3} )?(?P<msg>.*(?:not supported for machine type|machine type\b.*\b(?:is not supported|not available|is not compatible|unsupported|does not support)|accelerator\b.*\b(?:is not supported|not available|incompatible|cannot be used)|(?:invalid|unsupported) (?:machine[ _]type|accelerator)|Machine type with name '[^']+' does not exist|Invalid value for field 'resource\.machineType'|No (?:TPU|GPU|CUDA) Platform available).*)`)},
	// Docker, containerd and Vertex AI saying why an image could not be fetched: "manifest unknown", "pull access denied", `Failed to pull image "…": … not found`.
	{name: "image_pull", category: CategoryImagePull, keywords: []string{"manifest unknown", "pull access denied", "failed to pull image", "image not found", "manifest for", "failed to resolve reference", "error response from daemon", "downloadartifacts", "failed to resolve source metadata", "failed to solve", "error: "},
		re: regexp.MustCompile(`(?i)(?P<msg>.*(?:manifest unknown|pull access denied|failed to pull image|image not found|manifest for \S+ not found|failed to resolve reference|failed to resolve source metadata|failed to solve: .*(?:not found|manifest unknown|denied|unauthorized)|^#\d+ ERROR: [\w./:@-]+: not found|Error response from daemon: .*(?:denied|not found|unauthorized|manifest|toomanyrequests|pull rate limit)|artifactregistry\.repositories\.downloadArtifacts).*)`)},
	// Kubernetes-style pull states, which only say that pulling failed: "ImagePullBackOff", "ErrImagePull".
	{name: "image_pull_state", category: CategoryImagePull, keywords: []string{"imagepullbackoff", "errimagepull", "back-off pulling image"},
		re: regexp.MustCompile(`(?i)(?P<msg>.*(?:ImagePullBackOff|ErrImagePull|Back-off pulling image).*)`)},
	// googleapiclient (discovery-based Python clients): `<HttpError 429 when requesting URL returned "reason". Details: ...>`.
	{name: "googleapiclient_http_error", category: CategoryHTTPError, keywords: []string{"<httperror "},
		re:     regexp.MustCompile(`<HttpError (\d{3}) when requesting (\S+) returned "(.*?)"(?:\. Details: "(.*?)")?>?\s*$`),
		format: formatHTTPError},
	// Memory exhaustion: PyTorch "CUDA out of memory", Cloud Run "Memory limit of 512 MiB exceeded", OOMKilled, DataLoader's "out of shared memory", C++'s "std::bad_alloc".
	{name: "oom", category: CategoryOOM, keywords: []string{"out of memory", "out-of-memory", "outofmemory", "memory limit", "oomkilled", "oom-kill", "oom kill", "cannot allocate memory", "shared memory", "bad_alloc"},
		re: regexp.MustCompile(`(?i)(?P<msg>.*(?:out[ -]of[ -]memory|OutOfMemoryError|Memory limit of .* exceeded|OOMKilled|oom[- ]kill|Cannot allocate memory|(?:insufficient|out of) shared memory|\bstd::bad_alloc\b).*)`)},
	// JAX and XLA, which word the TPU/GPU runtime's status as gRPC does: "RuntimeError: Unable to initialize backend 'tpu': FAILED_PRECONDITION: … Device or resource busy", "XlaRuntimeError: RESOURCE_EXHAUSTED: …"; the status is the device's, not an API's, so the API rules below never read it.
	{name: "xla_status", category: CategoryPythonException, keywords: []string{"xlaruntimeerror", "initialize backend", "failed to initialize"},
		re: regexp.MustCompile(`^(?P<msg>.*\b(?:XlaRuntimeError|Unable to initialize backend '\w+'|Backend '\w+' failed to initialize).*)`)},
	// Quota refusals from Google APIs: "The following quota metrics exceed quota limits: aiplatform.googleapis.com/custom_model_training_cpus".
	{name: "quota", category: CategoryQuota, keywords: []string{"quota", "resourceexhausted", "resource_exhausted", "resource exhausted"},
		re: regexp.MustCompile(`(?i)(?:google\.api_core\.exceptions\.)?(?P<msg>(?:ResourceExhausted|QuotaExceeded|TooManyRequests): \d{3} .*|.*\bquota (?:metrics? )?(?:exceeded|exceed|limit)\b.*|.*\bexceeded? (?:the |your )?quota\b.*|.*\bquota\b.*\bexceed.*|.*RESOURCE_EXHAUSTED\b.*\S.*)`)},
	// Permission refusals: `PermissionDenied: 403 Permission 'aiplatform.customJobs.create' denied on resource ...`, Hugging Face's "Cannot access gated repo for url …",
	// a gRPC PermissionDenied in Go's or .NET's words, a database refusing a login: `FATAL: password authentication failed for user "batch"`, "Login failed for user 'etl'.".
	{name: "permission", category: CategoryPermission, keywords: []string{"permission", "forbidden", "403", "access denied", "accessdenied", "unauthorized", "unauthenticated", "authentication scopes", "invalid_grant", "expired or revoked", "default credentials", "does not have", "gated repo", "must be authenticated", "authentication failed", "login failed"},
		re: regexp.MustCompile(`(?i)(?:google\.api_core\.exceptions\.)?(?P<msg>(?:PermissionDenied|Forbidden|Unauthenticated|Unauthorized): \d{3} .*|.*\bPermission (?:'[^']+'|"[^"]+") denied.*|.*\bdoes not have \S+ IAM permission.*|.*\bdoes not have [\w.]+ access to\b.*|.*\bIAM_PERMISSION_DENIED\b.*|.*\bAccess ?Denied(?:Exception)?\b.*|.*\binsufficient authentication scopes\b.*|.*\binvalid_grant\b.*|.*\bToken has been expired or revoked\b.*|.*\bDefaultCredentialsError\b.*|.*\bdefault credentials were not found\b.*|.*\b(?:do|does) not have permission to act as\b.*|.*\baccess (?:a )?gated repo\b.*|.*\bis restricted\. You must be authenticated\b.*|.*\bpassword authentication failed\b.*|.*\bLogin failed for user\b.*|` + grpcStatus("PermissionDenied|Unauthenticated") + `)`)},
	// The same refusal in its generic words, which name nothing: "The caller does not have permission", "PERMISSION_DENIED", "403 Forbidden", "Status(403)", "authorization required".
	{name: "permission_generic", category: CategoryPermission, keywords: []string{"permission", "forbidden", "401", "403", "authorization required"},
		re: regexp.MustCompile(`(?i)(?P<msg>.*\b(?:does not have|do not have|lacks?) (?:the )?(?:required )?permissions?\b.*|.*\bPERMISSION_DENIED\b.*\S.*|.*\b403 Forbidden\b.*|.*\bauthorization required\b.*|` + httpStatus("401|403") + `)`)},
	// Missing resources: `NotFound: 404 GET https://storage.googleapis.com/...: No such object: bucket/key`, Go's storage client "storage: object doesn't exist".
	{name: "not_found", category: CategoryNotFound, keywords: []string{"notfound", "not_found", "404", "no such object", "no such bucket", "was not found", "no urls matched", "does not exist", "doesn't exist", "not found: 404"},
		re: regexp.MustCompile(`(?i)(?:google\.api_core\.exceptions\.)?(?P<msg>\w*NotFound(?:Exception)?: 404 .*|.*\b(?:bucket|object) (?:does not|doesn't) exist\b.*|.*\bNo such (?:object|bucket)\b.*|.*\bNo URLs matched\b.*|.*\bgs://\S+ not found\b.*|.*\bnot found: 404\b.*|.*\bNOT_FOUND\b.*\S.*|.*\b404 Not Found\b.*|.*\b(?:resource|job|bucket|object|service|model|dataset|secret)\b.*\bwas not found\b.*|` + grpcStatus("NotFound") + `|` + httpStatus("404") + `)`)},
	// A program that could not open a file, in its runtime's words: Go's "open /etc/app.conf: no such file or directory", Node's "ENOENT: no such file or directory, open '…'",
	// Rust's "Os { code: 2, kind: NotFound, … }", Python's "can't open file '/app/main.py'", "File doesn't exist". A shell's own line is the shell rule's.
	{name: "file_not_found", category: CategoryNotFound, keywords: []string{"enoent", "no such file or directory", "kind: notfound", "can't open file", "file doesn't exist", "file does not exist"},
		re: regexp.MustCompile(`(?i)(?P<msg>.*(?:\bENOENT\b|\b(?:open|stat|lstat|read|chdir|mkdir) \S+: no such file or directory|\bkind: NotFound\b|\bcan't open file\b|\bfile (?:does not|doesn't) exist\b).*)`)},
	// Requests the API refused as malformed: `InvalidArgument: 400 Unable to parse ...`.
	{name: "invalid_argument", category: CategoryInvalidArgument, keywords: []string{"invalidargument", "invalid_argument", "400", "badrequest", "failedprecondition", "failed_precondition", "invalid json payload", "invalid argument", "list of found errors"},
		re: regexp.MustCompile(`(?i)(?:google\.api_core\.exceptions\.)?(?P<msg>(?:InvalidArgument|BadRequest|FailedPrecondition): \d{3} .*|.*\bINVALID_ARGUMENT\b.*\S.*|.*\bFAILED_PRECONDITION\b.*\S.*|.*\b400 Bad Request\b.*|.*\bInvalid JSON payload received\b.*|.*\bRequest contains an invalid argument\b.*|.*\bList of found errors\b.*\S.*|` + grpcStatus("InvalidArgument|FailedPrecondition") + `)`)},
	// The bq CLI's failed job, when no rule above reads a permission, a missing table or a quota in it: BigQuery refused the job's data or SQL as invalid.
	// "BigQuery error in load operation: Error processing job '…': Error while reading data, error message: CSV table encountered too many errors, giving up."
	{name: "bigquery_job", category: CategoryInvalidArgument, keywords: []string{"bigquery error in "},
		re: regexp.MustCompile(`(?P<msg>BigQuery error in \w+ operation: .*\S)`)},
	// gcloud refusing a flag's value: "ERROR: (gcloud.ai.custom-jobs.create) argument --labels: Bad syntax for dict arg".
	{name: "gcloud_bad_argument", category: CategoryInvalidArgument, keywords: []string{"(gcloud."},
		re:     regexp.MustCompile(`ERROR: \((gcloud[\w.-]*)\) ((?:argument \S+: |Invalid value for \[).*)`),
		format: formatGcloudError},
	// requests raising for an HTTP status: "requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: …"; it says only the status, so it yields to a line above that says why.
	{name: "requests_http_error", category: CategoryHTTPError, keywords: []string{"httperror: "},
		re: regexp.MustCompile(`(?:requests\.exceptions\.)?(?P<msg>HTTPError: \d{3} (?:Client|Server) Error: .*)`)},
	// bash reporting a child killed by SIGKILL, in a container the kernel's OOM killer, which says less than the lines above: "entrypoint.sh: line 12:    64 Killed    python …".
	{name: "killed", category: CategoryOOM, keywords: []string{" killed "},
		re: regexp.MustCompile(`(?P<msg>.*\bline \d+: +\d+ Killed\s.*)`)},
	// Deadlines: `DeadlineExceeded: 504 Deadline Exceeded`, Cloud Run "The configured timeout was reached".
	{name: "timeout", category: CategoryTimeout, keywords: []string{"deadline", "timeout", "timed out"},
		re: regexp.MustCompile(`(?i)(?:google\.api_core\.exceptions\.)?(?P<msg>DeadlineExceeded: \d{3} .*|.*\bDeadline Exceeded\b.*|.*\bDEADLINE_EXCEEDED\b.*|.*\bconfigured timeout was reached\b.*|.*\breached the maximum timeout\b.*|.*\bWatchdog caught collective operation timeout\b.*|.*\bDeadline of [\d.]+s exceeded\b.*|.*\b(?:timed out|timeout) (?:after|while|waiting|exceeded|expired)\b.*|.*\b(?:operation|request|job|task|connection|read) timed out\b.*|.*(?:Error|Exception): Timed out\b.*|.*\bfailed to start within \d+.*|.*\b(?:Timeout|TimeoutError|ReadTimeout|ConnectTimeout)(?:Error)?: .*)`)},
	// Server-side failures and unreachable servers: `ServiceUnavailable: 503 Connect Failed`, "500 Internal Server Error", gRPC UNAVAILABLE, urllib3 "Max retries exceeded with url: /graphql (Caused by NameResolutionError(…))", Node "getaddrinfo ENOTFOUND hooks.slack.com", "connect ECONNREFUSED 10.8.0.4:6379".
	{name: "service_unavailable", category: CategoryServiceUnavailable, keywords: []string{"unavailable", "internalservererror", "internal server error", "internal: 5", "internalerror", "bad gateway", "badgateway", "server error", "resources are insufficient", "enough resources", "resource_pool_exhausted", "connection reset", "connection refused", "connection abort", "failed to connect to all addresses", "name resolution", "failed to resolve", "max retries exceeded", "name or service not known", "getaddrinfo", "establish a new connection", "connect to", "econnrefused", "econnreset"},
		re: regexp.MustCompile(`(?i)(?:google\.api_core\.exceptions\.)?(?P<msg>(?:ServiceUnavailable|InternalServerError|BadGateway|GatewayTimeout|Internal|InternalError|ServerError): 5\d\d\b.*|.*\b5\d\d (?:Service Unavailable|Internal Server Error|Bad Gateway|Server Error)\b.*|.*\bStatusCode\.UNAVAILABLE\b.*|.*\bUNAVAILABLE: .*|.*\bservice (?:is )?(?:currently )?unavailable\b.*|.*\bResources are insufficient in (?:region|zone)\b.*|.*\bdoes not have enough resources available\b.*|.*\bZONE_RESOURCE_POOL_EXHAUSTED\b.*|.*\bConnection (?:reset by peer|refused|abort(?:ed)?)\b.*|.*\bfailed to connect to all addresses\b.*|.*\b(?:Temporary failure in name resolution|Name or service not known|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|Failed to resolve '|Max retries exceeded with url|Failed to establish a new connection|could(?:n't| not) connect to '?https?://|\bECONNREFUSED\b|\bECONNRESET\b).*|` + grpcStatus("Unavailable") + `)`)},
	// Other Google API statuses: "google.api_core.exceptions.Aborted: 409 Concurrent modification …".
	{name: "google_api_status", category: CategoryHTTPError, keywords: []string{"aborted: ", "alreadyexists: ", "conflict: ", "cancelled: ", "toomanyrequests: "},
		re: regexp.MustCompile(`(?:google\.api_core\.exceptions\.)?(?P<msg>(?:Aborted|AlreadyExists|Conflict|Cancelled|TooManyRequests): \d{3} .*)`)},
	// W&B SDK exceptions and its "(Error 403: Forbidden)" suffix: "wandb.errors.CommError: ...", "wandb.errors.UsageError: api_key not configured".
	{name: "wandb_error", category: CategoryWandb, keywords: []string{"wandb.errors.", "wandb.sdk.", "(error ", "launcherror", "commerror", "usageerror", "api key", "api_key"},
		re: regexp.MustCompile(`(?i)(?P<msg>(?:wandb\.(?:errors|sdk)\.[\w.]*(?:Error|Exception)|LaunchError|CommError|UsageError): .*|.*\(Error \d{3}: [A-Za-z ]+\).*|.*\bAPI key must be\b.*|.*\bapi_key not configured\b.*|.*\b(?:invalid|missing) (?:W&B )?API key\b.*)`)},
	// googleapiclient errors without a parsable body, requests' HTTPError: "HTTPError: 502 Server Error: Bad Gateway for url: ...".
	{name: "http_error", category: CategoryHTTPError, keywords: []string{"httperror", "http error", "status code"},
		re: regexp.MustCompile(`(?i)(?P<msg>.*\b(?:HTTPError|HTTP Error)\b:? \d{3}\b.*|.*\bstatus code:? [45]\d\d\b.*)`)},
	// curl -f refusing an HTTP status: "curl: (22) The requested URL returned error: 404".
	{name: "curl_http_error", category: CategoryHTTPError, keywords: []string{"returned error:"},
		re: regexp.MustCompile(`(?P<msg>curl: \(\d+\) .*returned error: \d{3}.*)`)},
	// argparse rejecting a script's arguments: "task.py: error: argument --lr: invalid float value: '3e-4,'".
	{name: "argparse_error", category: CategoryPythonException, keywords: []string{": error: "},
		re: regexp.MustCompile(`^(?P<msg>[\w.-]+\.py: error: .*)`)},
	// gcloud's own Python crashing: "ERROR: gcloud crashed (AttributeError): 'NoneType' object has no attribute 'get'".
	{name: "gcloud_crashed", category: CategoryPythonException, keywords: []string{"gcloud crashed ("},
		re: regexp.MustCompile(`(?P<msg>gcloud crashed \(\w+\): .*\S)`)},
	// Package and environment tools, and a program Python could not find to run (subprocess): pip "ERROR: No matching distribution found for torch==2.1.0+cu118", "CondaError: Run 'conda init' before 'conda activate'", "FileNotFoundError: [Errno 2] No such file or directory: 'gcloud'".
	{name: "shell_tool", category: CategoryShell, keywords: []string{"no matching distribution", "satisfies the requirement", "condaerror", "no such file or directory: '"},
		re: regexp.MustCompile(`(?P<msg>.*\b(?:No matching distribution found for|Could not find a version that satisfies the requirement)\b.*|CondaError: .*\S|.*\bNo such file or directory: '[\w-]+'$)`)},
	// The last line of a Python traceback: "ModuleNotFoundError: No module named 'transformers'".
	{name: rulePythonException, category: CategoryPythonException, keywords: []string{"error", "exception", "exit", "interrupt", "failure", "fault"},
		re: regexp.MustCompile(`^(?P<msg>(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Failure|Fault)(?:: .*[^:\s]|\(.*\))?|(?:[a-z_]\w*\.)+[A-Z]\w*: .*[^:\s])$`)},
	// The W&B launch agent's own reason for not running a job: "wandb: ERROR launch: Error running job: Launch agent picked up sweep job, but sweep (q8z3kd1t) was in a terminal state (FINISHED)".
	{name: "wandb_launch", category: CategoryWandb, keywords: []string{"error running job: "},
		re: regexp.MustCompile(`^launch: Error running job: (?P<msg>.*[^:\s])$`)},
	// gcloud failing, e.g. "ERROR: (gcloud.run.jobs.execute) ...".
	{name: "gcloud_error", category: CategoryShell, keywords: []string{"(gcloud."},
		re:     regexp.MustCompile(`ERROR: \((gcloud[\w.-]*)\) (.*[^:\s])$`),
		format: formatGcloudError},
	// Shells and CLIs: "line 42: /opt/venv/bin/activate: No such file or directory", "command not found", dash's "sh: 1: tsc: not found", click "Error: No such option: --max-job".
	{name: "shell", category: CategoryShell, keywords: []string{"jq: error", "command not found", ": not found", "no such file or directory", "unbound variable", "no such option", "no such command", "invalid value for", "missing argument", "missing option", "got unexpected extra", "syntax error", "bad substitution", "unrecognized arguments", "invalid choice", "permission denied", "not a directory", "is a directory", "exec format error"},
		re: regexp.MustCompile(`(?i)(?P<msg>.*(?:^jq: error\b|: command not found|^(?:\S*/)?(?:ba|da|z)?sh: (?:line )?\d+: \S+: not found$|: No such file or directory|: unbound variable|No such option|No such command|Invalid value for|Missing argument|Missing option|Got unexpected extra argument|syntax error|bad substitution|unrecognized arguments|invalid choice|: Permission denied|: Not a directory|: Is a directory|exec format error).*)`)},
	// Go programs crashing: "panic: runtime error: index out of range [3] with length 3", "fatal error: all goroutines are asleep".
	{name: "go_panic", category: CategoryExitCode, keywords: []string{"panic: ", "fatal error: "},
		re: regexp.MustCompile(`^(?P<msg>(?:panic: |fatal error: ).*\S)`)},
	// Node.js dying on an error: "Error: Cannot find module '@slack/webhook'", "TypeError: x is not a function".
	{name: "node_error", category: CategoryExitCode, keywords: []string{"error: "},
		re: regexp.MustCompile(`^(?P<msg>(?:Uncaught )?(?:Type|Reference|Syntax|Range)?Error: .*\S)`)},
	// The message of a runtime's crash report that no rule above reads (see crashShapes, which gives the category): Rust's "DATABASE_URL must be set: NotPresent".
	{name: ruleCrash, category: CategoryExitCode,
		re: regexp.MustCompile(`^(?P<msg>.*\S)`)},
	// A program that died without an exception, or a container Docker could not start: faulthandler's "Fatal Python error: Segmentation fault", bash's "line 14:    87 Segmentation fault (core dumped) python …", "docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]]".
	{name: "crash", category: CategoryExitCode, keywords: []string{"fatal python error", "segmentation fault", "aborted", "bus error", "illegal instruction", "error response from daemon"},
		re: regexp.MustCompile(`(?P<msg>Fatal Python error: .*\S|.*\bline \d+: +\d+ (?:Segmentation fault|Aborted|Bus error|Illegal instruction)\b.*|.*\bError response from daemon: .*\S)`)},
	// torchrun's own account of a worker's death: "Signal 9 (SIGKILL) received by PID 319", "failed (exitcode: -9) local_rank: 1".
	{name: "worker_signal", category: CategoryExitCode, keywords: []string{"received by pid", "(exitcode: -"},
		re: regexp.MustCompile(`(?P<msg>.*(?:Signal \d+ \(SIG\w+\) received by PID \d+|failed \(exitcode: -\d+\) local_rank).*)`), vague: true},
	// Non-zero exits reported by Vertex AI or Kubernetes: "The replica workerpool0-0 exited with a non-zero status of 137.", yarn's `error Command failed with signal "SIGKILL".`, npm's "npm ERR! signal SIGKILL"
	{name: "exit_status", category: CategoryExitCode, keywords: []string{"non-zero", "nonzero", "exit code", "exit status", "signal", "exited with"},
		re: regexp.MustCompile(`(?i)(?P<msg>.*\b(?:replica|container|process|task|command|agent|job)\b.*(?:exited with (?:a )?non-?zero (?:status|exit code)|(?:exit code|exit status|exited with code|exited with status)\W+[1-9]\d*|(?:terminated|killed) (?:on|by) signal|failed with signal).*|^(?:npm ERR!|error\b).*\bsignal:? "?SIG[A-Z]+\b.*)`), vague: true},
	// Lines that only say they are errors: "ERROR: could not connect", "FATAL: ...", "E0514 10:05:03 … failed", a tool's own "fatal: repository '…' not found" (git) or "error: externally-managed-environment" (pip).
	{name: "generic_error", category: CategoryUnknown, keywords: []string{"error", "fatal", "critical", "failed", "panic"},
		re: regexp.MustCompile(`^(?P<msg>(?:(?:ERROR|FATAL|CRITICAL|PANIC|Error|Fatal|panic)(?:\[\d+\])?[:\s]|(?:error|fatal): |E\d{4} ).*[^:\s]|.*\bfailed(?: with)?: .*[^:\s])$`), vague: true},
	// The launcher wrapper's own account of a failed step: "❌ Could not fetch launch config"; it restates, so it yields to the program's words.
	{name: "wrapper_error", category: CategoryUnknown, keywords: []string{"❌"},
		re: regexp.MustCompile(`^(?P<msg>❌\s*.*[^:\s])$`), vague: true},
	// The launcher wrapper's reason for bailing out, the text after "🚨 FATAL ERROR DETECTED:" ("Vertex AI job failed"):
	// vague, so it only stands when nothing in its context says more (see Extract).
	{name: ruleWrapperFatal, category: CategoryUnknown, keywords: []string{"fatal error detected"},
		re: regexp.MustCompile(`(?P<msg>\S.*)`), vague: true},
	// Cloud Run's own record of the container's end: "Container called exit(1)."; only when nothing else explains it.
	{name: "container_exit", category: CategoryExitCode, keywords: []string{"container called exit("},
		re: regexp.MustCompile(`(?P<msg>Container called exit\([1-9]\d*\)\.?)`), vague: true},
}

// The phrases below mark lines that are not causes, or rank low.

// markerPhrases are the launcher wrapper's bailout lines
// ("🚨 FATAL ERROR DETECTED: …", "❌ Killing agent (PID 88)...").
var markerPhrases = []string{"fatal error detected", "killing agent"}

// infoPrefixes start the lines that the launcher wrapper prints as progress:
// they can contain "error" ("⏳ Monitoring for fatal errors...") but never
// report one.
var infoPrefixes = []string{"⏱", "⏳", "ℹ", "🔍", "💓", "✅", "🚀", "▶", "🧹", "📜", "🛑", "🔄", "📦", "🐍"}

// infoPhrases start lines that talk about errors without having one
// ("Errors: 0", "Watching for errors in the agent output"). Inside a line
// they say nothing: "AssertionError: expected 0 errors, got 5" is an error.
var infoPhrases = []string{
	"monitoring for", "checking for", "watching for", "looking for", "scanning for",
	"errors: 0", "error_count: 0", "0 errors", "no errors", "retrying on error", "without error",
	"error rate: 0", "errors=0",
	"refer to the documentation", "for further information", "to enable traceback", // advice
}

// pythonWarnings mark Python's warnings ("…/_default.py:76: UserWarning: …
// quota exceeded …"), which never end a run.
var pythonWarnings = []string{"userwarning:", "deprecationwarning:", "futurewarning:", "runtimewarning:", "resourcewarning:", "pendingdeprecationwarning:"}

// retryPhrases mark a line that will be retried, so did not end the run:
// "503 Connect Failed; will retry in 1.4s", urllib3's "Retrying (Retry(total=4…",
// the backoff library's "Backing off upload(...) for 1.4s (…)", "will back off".
// A count ("retry 1/3") marks one too (retryCount).
var retryPhrases = []string{"will retry", "will be retried", "retrying", "retry in ", "retry after", "retry attempt", "backing off", "back off"}

// noisePhrases mark lines that belong to an error report but never are its cause.
var noisePhrases = []string{
	"traceback (most recent call last)",
	"the above exception was the direct cause",
	"during handling of the above exception",
	"debug_error_string",
	"see above output for details",
}

// noisePrefixes start traceback frames, gRPC status dumps and Python's
// exit after an error was printed, whose cause is on another line.
var noisePrefixes = []string{`File "`, `status = StatusCode.`, `SystemExit:`}

// detailField matches the fields of an error dump that name the error's
// kind, not its cause: JSON's "status": "RESOURCE_EXHAUSTED", gcloud's YAML
// "- '@type': …", "reason: IAM_PERMISSION_DENIED", "domain: …". They never
// outrank the line they detail; a "message" field is read as a message.
var detailField = regexp.MustCompile(`^(?:- )?['"]?(?:@type|reason|domain|metadata|status|code|field|description|fieldViolations|violations|subject|locale)['"]?\s*:`)

// exceptionLine matches a line that starts as an error report does: with an
// exception's class ("ValueError: …", "google.api_core.exceptions.NotFound:
// 404 …") or gcloud's command ("(gcloud.run.jobs.execute) …"), as gcloud
// --verbosity=debug prints the error it is about to report.
var exceptionLine = regexp.MustCompile(`^(?:(?:(?:[a-z_]\w*\.)+[A-Z]\w*|[A-Z]\w*(?:Error|Exception)): |\(gcloud[\w.-]*\) )`)

// httpErrorWithURLRunes: longer, a googleapiclient HttpError drops its URL,
// which leaves too little room for the reason on one line.
const httpErrorWithURLRunes = 120

// formatHTTPError keeps a googleapiclient HttpError's status and reason and
// drops the URL when the whole would be a long line.
func formatHTTPError(m []string) string {
	status, url, reason, details := m[1], m[2], m[3], m[4]
	full := "HttpError " + status + " when requesting " + url + ` returned "` + reason + `"`
	if runeLen(full) <= httpErrorWithURLRunes {
		return full
	}
	short := "HttpError " + status + ": " + reason
	if details != "" && details != reason && runeLen(short)+len(details)+3 <= MaxMessageRunes {
		short += " (" + details + ")"
	}
	return short
}

// httpErrorAccessing is gcloud's "HttpError accessing <url>: response: <{'status': '429', ...}>".
var httpErrorAccessing = regexp.MustCompile(`HttpError accessing <[^>]*>: response: <\{'status': '(\d{3})'`)

// formatGcloudError shortens gcloud's error line; its HTTP form carries only
// the status, the reason follows on later lines.
func formatGcloudError(m []string) string {
	command, rest := m[1], m[2]
	if h := httpErrorAccessing.FindStringSubmatch(rest); h != nil {
		return "(" + command + ") HTTP " + h[1]
	}
	return "(" + command + ") " + strings.TrimSpace(rest)
}
