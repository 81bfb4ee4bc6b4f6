package main

import (
	"context"
	"fmt"
)

// memoryServers is the memory scenario's fleet width: more servers than
// the service's default workers (16), so that every size works the same
// number of servers at once and only the accounts per server change.
const memoryServers = 20

// memorySizes are the memory scenario's account counts (before -scale):
// issue 16's bar is "memory flat from 10,000 to 50,000"; 100,000 shows
// whether what grows keeps growing.
var memorySizes = []int{10_000, 50_000, 100_000}

// memory is the figure that judges "flat": the service's peak RSS after an
// enable and repair syncs at each size, with the same servers and workers,
// so that what the throughput scenario's sizes also change (10, then 50
// servers: the servers worked at once and the connections kept to them)
// stays out of it.
func (b *bench) memory(ctx context.Context, dialect string) error {
	res := MemoryResult{Database: dialect, Servers: memoryServers}
	for _, n := range memorySizes {
		t, err := b.throughputRun(ctx, dialect, memoryServers, b.scaled(n/memoryServers), nil, "same servers")
		if err != nil {
			return err
		}
		res.Sizes = append(res.Sizes, t)
	}
	first, last := res.Sizes[0].PeakRSSMiB, res.Sizes[len(res.Sizes)-1].PeakRSSMiB
	if first > 0 {
		res.Growth = last / first
	}
	b.report.Memory = append(b.report.Memory, res)
	return nil
}

// MemoryResult is the memory scenario on one database.
type MemoryResult struct {
	Database string             `json:"database"`
	Servers  int                `json:"servers"`
	Sizes    []ThroughputResult `json:"sizes"`
	// Growth is the largest size's peak RSS over the smallest's: 1 is flat.
	Growth float64 `json:"peak_rss_growth"`
}

func memoryMarkdown(p func(string, ...any), rows []MemoryResult) {
	p("")
	p("## Memory against accounts (the figure that judges \"flat\")")
	p("")
	p("%d servers at every size (more than the 16 workers, so every run works 16 servers at once), default settings; only the accounts per server change. Peak RSS is the service's VmHWM after the enable and its repair syncs; growth is the largest size's peak over the smallest's.", memoryServers)
	p("")
	p("| database | accounts | accounts/s | RSS after start | peak RSS |")
	p("|---|---:|---:|---:|---:|")
	for _, m := range rows {
		for _, t := range m.Sizes {
			p("| %s | %d | %.0f | %.0f MiB | %.0f MiB |", m.Database, t.Accounts, t.AccountsPerS, t.StartRSSMiB, t.PeakRSSMiB)
		}
		p("| %s | growth | | | **%s** |", m.Database, fmt.Sprintf("%.2fx", m.Growth))
	}
}
