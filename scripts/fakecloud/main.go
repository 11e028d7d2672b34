//go:build ignore

// Command fakecloud serves runwatch's simulated Cloud Run and Cloud Logging
// on 127.0.0.1, for scripts/idle-usage.sh and for trying the headless
// commands by hand: the --demo scenario, or with -scenario jobs a fixed
// project of three jobs over the 18 default regions (nightly-train failed
// in us-west3, etl-daily failed in europe-west1, vertex-ai-launcher
// succeeded in asia-east1 later than both, and one launcher execution
// running in us-central1). It prints its HOST:PORT, for both --run-endpoint
// and --logging-endpoint, serves until killed and then prints to standard
// error how many requests of each kind it answered. With -pubsub it also
// serves Pub/Sub (pstest) that its Cloud Logging sinks publish execution
// ends to, printing that address on a second line (PUBSUB_EMULATOR_HOST);
// -fail-after D then fails one vertex-ai-launcher execution in us-west3
// D after start (a sink set up meanwhile publishes its end).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"runwatch/poller"
	"runwatch/poller/fakecloud"
	"runwatch/poller/fakecloud/fakepubsub"
)

func main() {
	project := flag.String("project", "runwatch-demo", "project the scenario pretends to be")
	scenario := flag.String("scenario", "demo", "demo (the --demo scenario) or jobs (three jobs, fixed)")
	withPubSub := flag.Bool("pubsub", false, "serve Pub/Sub too (pstest), fed by Cloud Logging sinks")
	failAfter := flag.Duration("fail-after", 0, "fail one vertex-ai-launcher execution in us-west3 this long after start (0: never)")
	flag.Parse()
	cloud, err := fakecloud.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer cloud.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	switch *scenario {
	case "demo":
		if _, err := cloud.RunDemo(ctx, fakecloud.Demo{Project: *project, Job: poller.DefaultJob, Regions: poller.DefaultRegions()}); err != nil {
			log.Fatal(err)
		}
	case "jobs":
		putJobs(cloud, *project, time.Now())
	default:
		log.Fatalf("unknown scenario %q", *scenario)
	}
	fmt.Println(cloud.RunAddr())
	if *withPubSub {
		ps := fakepubsub.Start()
		defer ps.Close()
		cloud.SetSinkPublisher(ps.Publish)
		fmt.Println(ps.Addr())
	}
	if *failAfter > 0 {
		time.AfterFunc(*failAfter, func() { failOne(cloud, *project, time.Now()) })
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	fmt.Fprintf(os.Stderr, "requests: ListExecutions %d, ListJobs %d, ListTasks %d, ListLogEntries %d, RunJob %d, CancelExecution %d\n",
		len(cloud.ListExecutionsRequests()), len(cloud.ListJobsRequests()), len(cloud.ListTasksRequests()), len(cloud.LogRequests()),
		len(cloud.RunJobRequests()), len(cloud.CancelExecutionRequests()))
}

// failOne ends one launcher execution in failure, its log first, as Cloud
// Run would, and says when on standard error.
func failOne(cloud *fakecloud.Cloud, project string, now time.Time) {
	id := poller.DefaultJob + "-t3am1"
	created := now.Add(-time.Minute)
	cloud.SetLogs(project, poller.DefaultJob, id, []fakecloud.LogLine{
		{Time: created.Add(10 * time.Second), Text: "⏳ Monitoring for fatal errors..."},
		{Time: created.Add(11 * time.Second), Text: "RuntimeError: CUDA error: out of memory", Severity: "ERROR"},
	})
	cloud.Put(fakecloud.ExecutionSpec{Project: project, Region: "us-west3", Job: poller.DefaultJob, ID: id,
		State: fakecloud.Failed, Created: created, Failure: fakecloud.ExitFailure(1, 0)})
	fmt.Fprintf(os.Stderr, "failed %s at %s\n", id, time.Now().Format("15:04:05.000"))
}

// putJobs puts the jobs scenario: three jobs, the newest result a success.
func putJobs(cloud *fakecloud.Cloud, project string, now time.Time) {
	put := func(job, region, id string, state fakecloud.State, ago time.Duration, line string) {
		created := now.Add(-ago)
		cloud.PutJob(project, region, job)
		cloud.Put(fakecloud.ExecutionSpec{Project: project, Region: region, Job: job, ID: id, State: state, Created: created})
		if line != "" {
			cloud.SetLogs(project, job, id, []fakecloud.LogLine{
				{Time: created.Add(2 * time.Second), Text: "Starting " + job},
				{Time: created.Add(3 * time.Second), Text: line, Severity: "ERROR"},
			})
		}
	}
	put("nightly-train", "us-west3", "nightly-train-a1b2c", fakecloud.Failed, 40*time.Minute,
		"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB")
	put("etl-daily", "europe-west1", "etl-daily-d3e4f", fakecloud.Failed, 30*time.Minute, "KeyError: 'order_date'")
	put(poller.DefaultJob, "asia-east1", poller.DefaultJob+"-g5h6i", fakecloud.Succeeded, 5*time.Minute, "")
	put(poller.DefaultJob, "us-central1", poller.DefaultJob+"-j7k8l", fakecloud.Running, time.Minute, "")
}
