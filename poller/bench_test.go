package poller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"runwatch/poller/fakecloud"
)

// BenchmarkRefresh18Regions times one refresh over 18 regions that each
// answer after latency L and reports it as a multiple of L (target: at most
// 1.3: every region at the cost of one).
func BenchmarkRefresh18Regions(b *testing.B) {
	const latency = 300 * time.Millisecond
	cloud, err := fakecloud.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer cloud.Close()
	ctx := context.Background()
	clients, err := NewClients(ctx, Endpoints{Run: cloud.RunAddr(), Logging: cloud.LoggingAddr()})
	if err != nil {
		b.Fatal(err)
	}
	defer clients.Close()
	regions := DefaultRegions()
	for i, r := range regions {
		cloud.SetRegionLatency(r, latency)
		spec := fakecloud.ExecutionSpec{Project: testProject, Region: r, Job: testJob, ID: fmt.Sprintf("e%02d", i),
			State: fakecloud.Succeeded, Created: time.Now().Add(-time.Duration(i+1) * time.Minute)}
		cloud.PutExecution(spec.Build())
	}
	p := New(Config{Project: testProject, Job: testJob, Regions: regions}, clients, &MemoryOnly{}, Options{})
	p.Refresh(ctx) // connect
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if res := p.Refresh(ctx); len(res.Snapshot.RegionErrors) > 0 {
			b.Fatal(res.Snapshot.RegionErrors)
		}
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(latency), "latencies/refresh")
}
