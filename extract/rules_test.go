package extract

import (
	"strings"
	"testing"
)

// TestRules gives every rule a line it must match and a near miss it must not.
func TestRules(t *testing.T) {
	cases := []struct {
		rule     string
		line     string
		want     string // substring of the message
		nearMiss string
	}{
		{"wandb_api_call", "wandb: ERROR Error while calling W&B API: permission denied (<Response [403]>)", "permission denied",
			"wandb: Successfully called the W&B API in 20 ms"},
		{"machine_type", `google.api_core.exceptions.InvalidArgument: 400 Accelerator "NVIDIA_TESLA_T4" is not supported for machine type "e2-standard-8"`, `machine type "e2-standard-8"`,
			`wandb:    'machine_spec': {'accelerator_count': 1, 'machine_type': 'g2-standard-8'},`},
		{"machine_type", `ERROR: (gcloud.ai.custom-jobs.create) INVALID_ARGUMENT: Machine type "a2-highgpu-1g" is not supported.`, "a2-highgpu-1g",
			`Using machine type "a2-highgpu-1g" with accelerator NVIDIA_TESLA_A100`},
		{"image_pull", `Failed to pull image "us-docker.pkg.dev/p/r/trainer:v2": rpc error: code = NotFound desc = failed to pull and unpack image`, "Failed to pull image",
			`Pulling image "us-docker.pkg.dev/p/r/trainer:v2"`},
		{"image_pull_state", "Back-off pulling image: ImagePullBackOff", "ImagePullBackOff", "Image pulled successfully in 3.2s"},
		{"image_pull", `Error response from daemon: Head "https://us-docker.pkg.dev/v2/p/r/base/manifests/cu121": denied: Permission "artifactregistry.repositories.downloadArtifacts" denied`, "artifactregistry",
			"Error response from daemon: container already started"},
		{"gcloud_bad_argument", "ERROR: (gcloud.ai.custom-jobs.create) argument --labels: Bad syntax for dict arg: [team].", "(gcloud.ai.custom-jobs.create) argument --labels: Bad syntax",
			"ERROR: (gcloud.ai.custom-jobs.create) unrecognized arguments: --acclerator"},
		{"invalid_argument", `"Invalid JSON payload received. Unknown name \"acceleratorTyp\" at 'custom_job.job_spec': Cannot find field."`, "Unknown name",
			"Received a valid JSON payload of 3 KB"},
		{"service_unavailable", "[vertex] service: Resources are insufficient in region: europe-west4. Try a different region.", "Resources are insufficient",
			"Resources are sufficient in region: europe-west4"},
		{"service_unavailable", "requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))", "Connection reset by peer",
			"Connection established to api.wandb.ai"},
		{"timeout", "google.api_core.exceptions.RetryError: Deadline of 120.0s exceeded while calling target function", "Deadline of 120.0s exceeded",
			"Deadline set to 120.0s for each call"},
		{"image_pull", "Error response from daemon: pull access denied for trainer, repository does not exist or may require 'docker login'", "pull access denied",
			"Using default tag: latest"},
		{"googleapiclient_http_error", `googleapiclient.errors.HttpError: <HttpError 403 when requesting https://ml.googleapis.com/v1/projects/p/jobs?alt=json returned "Permission denied">`, `HttpError 403`,
			`googleapiclient.discovery: URL being requested: GET https://ml.googleapis.com/v1/projects/p/jobs?alt=json`},
		{"quota", "google.api_core.exceptions.ResourceExhausted: 429 The following quota metrics exceed quota limits: aiplatform.googleapis.com/custom_model_training_nvidia_a100_gpus", "custom_model_training_nvidia_a100_gpus",
			"ℹ️ Quota project: acme-ml-prod"},
		{"quota", "Quota exceeded for quota metric 'CPUs' and limit 'CPUS-per-project-region' of service 'compute.googleapis.com'", "CPUS-per-project-region",
			"Requested quota increase for CPUs"},
		{"permission", "google.api_core.exceptions.PermissionDenied: 403 Permission 'aiplatform.customJobs.create' denied on resource '//aiplatform.googleapis.com/projects/p'", "aiplatform.customJobs.create",
			"Granting permission 'roles/aiplatform.user' to the service account"},
		{"permission_generic", "Caller does not have required permission to use project acme-ml-prod.", "required permission",
			"Checking permissions for project acme-ml-prod"},
		{"not_found", "google.api_core.exceptions.NotFound: 404 GET https://storage.googleapis.com/b/o: No such object: acme-ml-config/launch-config.yaml", "No such object",
			"Found 404 files in gs://acme-ml-config"},
		{"invalid_argument", "google.api_core.exceptions.InvalidArgument: 400 Unable to parse `training_pipeline.training_task_inputs`", "Unable to parse",
			"Loaded 400 examples from the validation set"},
		{"oom", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", "CUDA out of memory",
			"Memory usage: 3.2 GiB of 16 GiB"},
		{"oom", "Memory limit of 512 MiB exceeded with 530 MiB used. Consider increasing the memory limit", "Memory limit of 512 MiB exceeded",
			"Memory limit: 512 MiB"},
		{"timeout", "google.api_core.exceptions.DeadlineExceeded: 504 Deadline Exceeded", "Deadline Exceeded",
			"⏱️ Idle timeout: 30 minutes"},
		{"timeout", "Task vertex-ai-launcher-x7k2p-task0 failed: The configured timeout was reached.", "configured timeout was reached",
			"Timeout set to 3600s"},
		{"service_unavailable", "google.api_core.exceptions.ServiceUnavailable: 503 Connect Failed", "503 Connect Failed",
			"ℹ️ step 500/5000 of warm-up replay"},
		{"service_unavailable", "requests returned 500 Internal Server Error from metadata server", "500 Internal Server Error",
			"Downloaded 500 MB base image layer cache"},
		{"wandb_error", "wandb.errors.UsageError: api_key not configured (no-tty). call wandb.login(key=[your_api_key])", "api_key not configured",
			"wandb: Tracking run with wandb version 0.16.6"},
		{"requests_http_error", "requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: https://api.wandb.ai/graphql", "502 Server Error",
			"HTTP 200 OK from https://api.wandb.ai/graphql"},
		{"http_error", "urllib.error.HTTPError: HTTP Error 404: Not Found", "HTTP Error 404",
			"HTTP 200 OK from https://api.wandb.ai/graphql"},
		{"gcloud_crashed", "ERROR: gcloud crashed (AttributeError): 'NoneType' object has no attribute 'get'", "gcloud crashed (AttributeError): 'NoneType'",
			"gcloud crashed earlier today, rerunning"},
		{"python_exception", "ModuleNotFoundError: No module named 'transformers'", "No module named 'transformers'",
			"Traceback (most recent call last):"},
		{"python_exception", "KeyError: 'learning_rate'", "KeyError", "  File \"/app/train.py\", line 3, in <module>"},
		{"python_exception", "RuntimeError: NCCL communicator was aborted", "NCCL", "RuntimeError: Job failed with:"},
		{"gcloud_error", "ERROR: (gcloud.run.jobs.execute) Job [vertex-ai-launcher] is being modified; retry later.", "gcloud.run.jobs.execute",
			"Updated property [core/project] with gcloud.run defaults."},
		{"shell", "/app/run_agent.sh: line 7: wandbb: command not found", "command not found",
			"Running command: wandb launch-agent"},
		{"shell", "/app/run_agent.sh: line 3: WANDB_QUEUE: unbound variable", "unbound variable",
			"Exporting variable WANDB_QUEUE"},
		{"shell", "Error: No such option: --max-job Did you mean --max-jobs?", "No such option",
			"Usage: wandb launch-agent [OPTIONS]"},
		{"exit_status", "The replica workerpool0-0 exited with a non-zero status of 137. Termination reason: Error.", "non-zero status of 137",
			"The replica workerpool0-0 exited with status 0."},
		{"exit_status", "Container terminated on signal 9.", "signal 9", "Sending signal 15 to child processes on shutdown"},
		{"wrapper_fatal", "🚨 FATAL ERROR DETECTED: Vertex AI job failed", "Vertex AI job failed",
			"⏳ Monitoring for fatal errors..."},
		{"generic_error", "ERROR: could not reach the launch queue", "could not reach",
			"ℹ️ Errors: 0"},
		{"wrapper_error", "❌ Could not fetch launch config", "Could not fetch launch config", "✅ Launch config found"},
		{"container_exit", "Container called exit(1).", "exit(1)", "Container called exit(0)."},
		{"google_api_status", "google.api_core.exceptions.Aborted: 409 Concurrent modification of ExperimentRun", "Aborted: 409", "Aborted run 3 of 5 by request"},
		{"worker_signal", "torch.distributed.elastic.multiprocessing.api: [ERROR] failed (exitcode: -9) local_rank: 1 (pid: 319)", "exitcode: -9", "local_rank: 1 (pid: 319) started"},
		{"shell", "bash: line 1: /app/entrypoint.sh: Permission denied", "Permission denied", "Permission check passed for /app/entrypoint.sh"},
		{"not_found", "BucketNotFoundException: 404 gs://acme-ml-vertex-staging-eu bucket does not exist.", "bucket does not exist", "Checked that gs://acme-ml-vertex-staging-eu exists"},
		{"image_pull", "Error response from daemon: toomanyrequests: You have reached your pull rate limit.", "pull rate limit", "Error response from daemon: conflict: unable to remove repository reference"},
		{"wandb_comm", "wandb: ERROR launch: Not all of requested queues (vertex-h100) found. Available queues for this entity: vertex-gpu", "Not all of requested queues",
			"wandb: launch: agent polling on queues vertex-gpu"},
		{"go_panic", "panic: runtime error: index out of range [3] with length 3", "index out of range", "Recovered from a panic in the handler, continuing"},
		{"node_error", "Error: Cannot find module '@slack/webhook'", "Cannot find module", "Errors: none"},
		{"curl_http_error", "curl: (22) The requested URL returned error: 404", "returned error: 404", "curl: downloaded 404 bytes"},
		{"argparse_error", "task.py: error: argument --lr: invalid float value: '3e-4,'", "invalid float value", "task.py: parsed 3 arguments"},
		{"permission", "google.auth.exceptions.RefreshError: ('invalid_grant: Token has been expired or revoked.', {})", "invalid_grant", "Token refreshed, expires in 3599 s"},
		{"not_found", "CommandException: No URLs matched: gs://acme/x.yaml", "No URLs matched", "Matched 3 URLs under gs://acme/"},
		{"service_unavailable", "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.wandb.ai', port=443): Max retries exceeded with url: /graphql", "Max retries exceeded",
			"Retries: max 3 for url /graphql"},
		{"service_unavailable", "Error: getaddrinfo ENOTFOUND hooks.slack.com", "ENOTFOUND", "Resolved hooks.slack.com via getaddrinfo"},
		{"oom", "RuntimeError: DataLoader worker (pid 3216) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory.", "out of shared memory",
			"Using 64 GiB of shared memory for /dev/shm"},
		{"killed", "/app/entrypoint.sh: line 12:    64 Killed                  python -m gnn.train", "64 Killed", "Killed 3 stale workers before start"},
		{"timeout", "RuntimeError: Timed out initializing process group in store based barrier on rank: 0", "Timed out initializing",
			"Waiting in store based barrier (timeout=0:30:00)"},
		{"timeout", "launch: Error running job: Run failed to start within 3600 seconds. If you want to increase this timeout, set WANDB_LAUNCH_START_TIMEOUT", "failed to start within",
			"Run must start within 3600 seconds (timeout)"},
		{"not_found", "failed to read gs://acme/launch.yaml: storage: object doesn't exist", "object doesn't exist", "Creating gs://acme/launch.yaml since it doesn't exist yet"},
		{"machine_type", "RuntimeError: Backend 'tpu' failed to initialize: UNAVAILABLE: No TPU Platform available.", "No TPU Platform", "Platform available: tpu"},
		{"permission", "OSError: You are trying to access a gated repo.", "gated repo", "Downloading gated repo meta-llama/Meta-Llama-3-8B with token"},
		{"shell_tool", "ERROR: No matching distribution found for torch==2.1.0+cu118", "torch==2.1.0+cu118", "Collecting torch==2.1.0 (from trainer==0.3.1)"},
		{"shell_tool", "FileNotFoundError: [Errno 2] No such file or directory: 'gcloud'", "'gcloud'", "FileNotFoundError: [Errno 2] No such file or directory: '/gcs/x/train.arrow'"},
		{"wandb_launch", "wandb: ERROR launch: Error running job: Launch agent picked up sweep job, but sweep (q8z3kd1t) was in a terminal state (FINISHED)", "terminal state",
			"wandb: ERROR launch: Error running job: Job failed with:"},
		{"crash", "/app/entrypoint.sh: line 14:    87 Segmentation fault      (core dumped) python /app/train.py", "Segmentation fault", "Handled a segmentation fault in a test"},
		{"crash", `docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].`, "could not select device driver", "docker: pulled from daemon cache"},
		{"xla_status", "RuntimeError: Unable to initialize backend 'tpu': FAILED_PRECONDITION: TPU initialization failed: open(/dev/vfio/0): Device or resource busy", "Device or resource busy",
			"Platform 'tpu' is experimental and not all JAX functionality may be correctly supported!"},
		{"oom", "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: XLA:TPU compile permanent error. Ran out of memory in memory space hbm.", "Ran out of memory",
			"Total hbm usage >= 22.42G:"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got := Extract([]string{c.line})
			if !got.Found || got.Rule != c.rule {
				t.Fatalf("%q: got rule %q (found %v, %q), want %q", c.line, got.Rule, got.Found, got.Message, c.rule)
			}
			if !strings.Contains(got.Message, c.want) {
				t.Errorf("message %q lacks %q", got.Message, c.want)
			}
			if miss := Extract([]string{c.nearMiss}); miss.Found && miss.Rule == c.rule {
				t.Errorf("near miss %q matched %s as %q", c.nearMiss, c.rule, miss.Message)
			}
		})
	}
}

// TestEveryRuleTested keeps TestRules in step with the rule table.
func TestEveryRuleTested(t *testing.T) {
	src := map[string]bool{}
	for _, r := range rules {
		src[r.name] = true
		if r.re == nil || len(r.keywords) == 0 && r.name != ruleCrash || r.category == "" { // crash shapes reach ruleCrash
			t.Errorf("rule %s lacks a pattern, keywords or category", r.name)
		}
	}
	if len(rules) > 64 {
		t.Fatalf("%d rules do not fit the 64-bit rule set", len(rules))
	}
	if n := len(keywords.buckets); n > 255 {
		t.Fatalf("%d keyword buckets do not fit a uint8", n)
	}
	// Every rule must be reachable from at least one line.
	for name := range src {
		reached := false
		for _, line := range ruleExamples {
			if r := Extract([]string{line}); r.Rule == name {
				reached = true
			}
		}
		if !reached {
			t.Errorf("no example reaches rule %s", name)
		}
	}
}

// ruleExamples has one line per rule, for TestEveryRuleTested.
var ruleExamples = []string{
	"Error while calling W&B API: user is not logged in (<Response [401]>)",
	`Accelerator "NVIDIA_L4" is not supported for machine type "n1-standard-4"`,
	"ErrImagePull",
	"google.api_core.exceptions.Aborted: 409 Concurrent modification",
	"Signal 9 (SIGKILL) received by PID 319",
	"panic: runtime error: invalid memory address or nil pointer dereference",
	"Error: Cannot find module 'x'",
	"Error: ENOENT: no such file or directory, open '/app/config.json'",
	"thread 'main' panicked at 'boom', src/main.rs:1:2",
	"curl: (22) The requested URL returned error: 500",
	"train.py: error: the following arguments are required: --data",
	"manifest unknown",
	"ERROR: (gcloud.x) argument --y: bad",
	`<HttpError 404 when requesting https://x/y returned "Not Found">`,
	"ResourceExhausted: 429 quota",
	"PermissionDenied: 403 no",
	"NotFound: 404 no",
	"InvalidArgument: 400 no",
	"BigQuery error in query operation: Syntax error: Unexpected end of script at [1:7]",
	"CUDA out of memory",
	"CondaError: x",
	"launch: Error running job: x",
	"Fatal Python error: Aborted",
	"XlaRuntimeError: INTERNAL: x",
	"sh: line 1:  7 Killed  python x",
	"DeadlineExceeded: 504 Deadline Exceeded",
	"ServiceUnavailable: 503 x",
	"wandb.errors.UsageError: x",
	"wandb.errors.CommError: Run initialization has timed out after 90.0 sec.",
	"The caller does not have permission",
	"HTTPError: 500 x",
	"requests.exceptions.HTTPError: 409 Client Error: Conflict for url: x",
	"ValueError: x",
	"ERROR: gcloud crashed (OSError): x",
	"ERROR: (gcloud.x) y",
	"sh: foo: command not found",
	"The replica workerpool0-0 exited with a non-zero status of 1.",
	"🚨 FATAL ERROR DETECTED: x",
	"ERROR: broken",
	"❌ Upload step broke",
	"Container called exit(3).",
}
