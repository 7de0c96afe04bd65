package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Sweep is housekeeping run periodically by one instance (River's
// leader): deleting abandoned drafts, forgetting old throttle counts.
type Sweep struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

type sweepArgs struct {
	Name string `json:"name"`
}

func (sweepArgs) Kind() string { return "sweep" }

// InsertOpts makes a sweep unique while one is waiting, so instances and
// restarts do not pile them up.
func (sweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Minute}}
}

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	sweeps map[string]Sweep
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[sweepArgs]) error {
	s, ok := w.sweeps[job.Args.Name]
	if !ok {
		return fmt.Errorf("jobs: no sweep %q", job.Args.Name)
	}
	if err := s.Run(ctx); err != nil {
		jobsTotal.WithLabelValues("sweep_"+s.Name, "error").Inc()
		return err
	}
	jobsTotal.WithLabelValues("sweep_"+s.Name, "ok").Inc()
	return nil
}

func periodic(sweeps []Sweep) []*river.PeriodicJob {
	var out []*river.PeriodicJob
	for _, s := range sweeps {
		name := s.Name
		out = append(out, river.NewPeriodicJob(river.PeriodicInterval(s.Every),
			func() (river.JobArgs, *river.InsertOpts) { return sweepArgs{Name: name}, nil },
			&river.PeriodicJobOpts{RunOnStart: true, ID: "sweep_" + name}))
	}
	return out
}
