package harness

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Machine describes the host a measurement ran on.
type Machine struct {
	NProc     int    `json:"nproc"`
	CPUModel  string `json:"cpu_model"`
	MemTotalM int64  `json:"mem_total_mib"`
	Kernel    string `json:"kernel"`
	GoVersion string `json:"go_version"`
	Date      string `json:"date"`
	// LoadAvg is /proc/loadavg when described: other work on the machine
	// skews the figures.
	LoadAvg string `json:"loadavg"`
}

// DescribeMachine reads /proc for the CPU model, the memory and the kernel.
func DescribeMachine() Machine {
	m := Machine{NProc: runtime.NumCPU(), GoVersion: runtime.Version(), Date: time.Now().UTC().Format(time.RFC3339)}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		_ = f.Close()
	}
	if kb := procField("/proc/meminfo", "MemTotal"); kb > 0 {
		m.MemTotalM = kb / 1024
	}
	m.LoadAvg = LoadAvg()
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// procField reads a "Key:   123 kB" line of a /proc file and returns the number.
func procField(path, key string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || k != key {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return 0
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		return n
	}
	return 0
}

// PeakRSSKiB returns the peak resident set size (VmHWM) of a process in KiB.
func PeakRSSKiB(pid int) int64 { return procField("/proc/"+strconv.Itoa(pid)+"/status", "VmHWM") }

// RSSKiB returns the current resident set size (VmRSS) of a process in KiB.
func RSSKiB(pid int) int64 { return procField("/proc/"+strconv.Itoa(pid)+"/status", "VmRSS") }

// LoadAvg returns the first three fields of /proc/loadavg.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat: 100
// on every Linux platform Go supports.
const clockTicks = 100

// CPUTime returns the user and system CPU time a process has used, from
// /proc/<pid>/stat (10 ms resolution); zero when it cannot be read.
func CPUTime(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// SelfCPUTime returns the CPU time this process has used.
func SelfCPUTime() time.Duration { return CPUTime(os.Getpid()) }

// MySQLServerPID returns the process id of a local MariaDB or MySQL server
// when dialect is MySQL (0 when there is none on this machine).
func MySQLServerPID(dialect string) int {
	if dialect != MySQL {
		return 0
	}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + d.Name() + "/comm")
		if name := strings.TrimSpace(string(comm)); name == "mariadbd" || name == "mysqld" {
			return pid
		}
	}
	return 0
}
