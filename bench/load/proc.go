package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, which
// Linux fixes at 100 for user space on every architecture the tool runs on
// (sysconf(_SC_CLK_TCK) is not in the standard library).
const userHZ = 100

// procDir is /proc/<pid>, or /proc/self for pid 0.
func procDir(pid int) string {
	if pid == 0 {
		return "/proc/self"
	}
	return "/proc/" + strconv.Itoa(pid)
}

// procCPU is a process's user plus system CPU time so far.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(procDir(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// count the fields from the last ')'. utime and stime are fields 14
	// and 15, so the 12th and 13th after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("%s/stat: unexpected format", procDir(pid))
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("%s/stat: unexpected format", procDir(pid))
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s/stat: %w", procDir(pid), err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// procName is the command name of a process, "" when there is none.
func procName(pid int) string {
	b, err := os.ReadFile(procDir(pid) + "/comm")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// procChildren lists the processes whose parent is pid.
func procChildren(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		i := bytes.LastIndexByte(b, ')')
		if err != nil || i < 0 {
			continue
		}
		if f := strings.Fields(string(b[i+1:])); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

// procStatusKB reads a "Key:  123 kB" line of /proc/<pid>/status.
func procStatusKB(pid int, key string) (int64, bool) {
	f, err := os.Open(procDir(pid) + "/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), key+":")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// watch measures the server (pid; 0 when unknown) and the tool itself over
// a phase: CPU times at from and to, the largest VmRSS every 500 ms until
// to, and VmHWM at the end. The figures arrive on the channel after to.
func watch(pid int, from, to time.Time) <-chan watched {
	ch := make(chan watched, 1)
	go func() {
		var w watched
		rss := func() {
			if pid == 0 {
				return
			}
			if kb, ok := procStatusKB(pid, "VmRSS"); ok {
				w.maxRSSKB = max(w.maxRSSKB, kb)
			}
		}
		until := func(deadline time.Time) { // sleeping, sampling every 500 ms
			for d := time.Until(deadline); d > 0; d = time.Until(deadline) {
				time.Sleep(min(d, 500*time.Millisecond))
				rss()
			}
		}
		rss()
		until(from)
		s0, serr0 := procCPU(pid)
		t0, _ := procCPU(0)
		until(to)
		s1, serr1 := procCPU(pid)
		t1, _ := procCPU(0)
		w.tool = t1 - t0
		if pid != 0 && serr0 == nil && serr1 == nil {
			w.server, w.serverOK = s1-s0, true
		}
		if pid != 0 {
			w.hwmKB, _ = procStatusKB(pid, "VmHWM")
		}
		ch <- w
	}()
	return ch
}

// watched is what watch measured.
type watched struct {
	server   time.Duration // the server's CPU time in the window
	serverOK bool
	tool     time.Duration // the load tool's own
	maxRSSKB int64         // 0: unknown
	hwmKB    int64         // 0: unknown
}

// usage turns the measurements into the per-request figures.
func (w watched) usage(pid, requests int) usage {
	u := usage{PID: pid}
	if requests > 0 {
		u.ToolCPUMs = round2(float64(w.tool) / 1e6 / float64(requests))
		if w.serverOK {
			v := round2(float64(w.server) / 1e6 / float64(requests))
			u.CPUMsPerRequest = &v
		}
	}
	if w.maxRSSKB > 0 {
		v := float64(w.maxRSSKB) / 1024
		u.SampledRSSMB = &v
		u.PeakRSSMB = &v
	}
	if w.hwmKB > 0 {
		v := float64(w.hwmKB) / 1024
		u.PeakRSSMB = &v
	}
	return u
}

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

// idleShare is the share of one core under which a process counts as idle.
const idleShare = 0.05

// settle waits until the processes (0s are skipped) are idle — together
// under idleShare of a core for a second — so that a phase is not measured
// while the portal still works off the previous phase (the emails of the
// submissions it took, a job each), nor the ceiling while the portal does.
// It gives up after limit, and says how long it waited.
func settle(out io.Writer, limit time.Duration, pids ...int) {
	start := time.Now()
	cpu := func() (time.Duration, bool) {
		var sum time.Duration
		for _, pid := range pids {
			if pid == 0 {
				continue
			}
			t, err := procCPU(pid)
			if err != nil {
				return 0, false
			}
			sum += t
		}
		return sum, true
	}
	for time.Since(start) < limit {
		before, ok := cpu()
		time.Sleep(time.Second)
		after, ok2 := cpu()
		if !ok || !ok2 {
			return
		}
		if float64(after-before) < idleShare*float64(time.Second) {
			if waited := time.Since(start); waited > 1500*time.Millisecond {
				fmt.Fprintf(out, "waited %s for the server's background work to end\n", waited.Round(time.Second))
			}
			return
		}
	}
	fmt.Fprintf(out, "still busy after %s; measuring anyway\n", limit)
}
