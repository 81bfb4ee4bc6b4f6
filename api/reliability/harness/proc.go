package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// AdminEmail and AdminPassword are the bootstrap administrator of every
// service the harness starts.
const (
	AdminEmail    = "bench@example.com"
	AdminPassword = "bench-admin-password-1"
)

// RepoRoot finds the module root (the directory holding go.mod) from the
// working directory up.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// BuildBinary builds ./api/cmd/applinks into dir and returns its path.
func BuildBinary(ctx context.Context, dir string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "applinks")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./api/cmd/applinks")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./api/cmd/applinks: %v: %s", err, stderr.String())
	}
	return out, nil
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ServiceConfig describes one applinks process.
type ServiceConfig struct {
	Bin string
	DB  *ScratchDB
	// SecretKey is APPLINKS_SECRET_KEY (the fleet's key).
	SecretKey string
	// Env adds or overrides APPLINKS_* variables.
	Env map[string]string
	// LogPath receives the process's stderr and stdout; empty discards them.
	LogPath string
	// Port is the port to listen on; 0 picks one.
	Port int
}

// Service is a running applinks child process.
type Service struct {
	URL  string
	Port int
	// MetricsURL is where the process serves GET /metrics (its own
	// listener, APPLINKS_METRICS_ADDR); empty when cfg.Env turned it off.
	MetricsURL string
	PID        int
	cmd        *exec.Cmd
	log        *os.File
	done       chan struct{}
	mu         sync.Mutex
	err        error
}

// StartService starts the binary and waits until /healthz answers.
func StartService(ctx context.Context, cfg ServiceConfig) (*Service, error) {
	port := cfg.Port
	if port == 0 {
		var err error
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	// The metrics get a free loopback port of their own: the default
	// (127.0.0.1:9100) would collide between replicas and runs.
	metricsPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	metricsAddr := "127.0.0.1:" + strconv.Itoa(metricsPort)
	env := map[string]string{
		"APPLINKS_ADDR":             addr,
		"APPLINKS_METRICS_ADDR":     metricsAddr,
		"APPLINKS_PUBLIC_URL":       "http://" + addr,
		"APPLINKS_DATABASE_URL":     cfg.DB.URL,
		"APPLINKS_DATA_DIR":         cfg.DB.Dir,
		"APPLINKS_SECRET_KEY":       cfg.SecretKey,
		"APPLINKS_ADMIN_EMAIL":      AdminEmail,
		"APPLINKS_ADMIN_PASSWORD":   AdminPassword,
		"APPLINKS_LOG_LEVEL":        "warn",
		"APPLINKS_LOGIN_PER_MINUTE": "100000",
		"APPLINKS_SHUTDOWN_GRACE":   "5s",
		// The simulated servers listen on 127.0.0.1.
		"APPLINKS_ALLOW_LOOPBACK_SERVERS": "true",
	}
	for k, v := range cfg.Env {
		env[k] = v
	}
	cmd := exec.Command(cfg.Bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GOMAXPROCS=" + strconv.Itoa(runtime.NumCPU())}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	s := &Service{URL: "http://" + addr, Port: port, cmd: cmd, done: make(chan struct{})}
	if env["APPLINKS_METRICS_ADDR"] != "" {
		s.MetricsURL = "http://" + env["APPLINKS_METRICS_ADDR"] + "/metrics"
	}
	if cfg.LogPath != "" {
		f, err := os.OpenFile(cfg.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		s.log = f
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s.PID = cmd.Process.Pid
	go func() {
		err := cmd.Wait()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		if s.log != nil {
			_ = s.log.Close()
		}
		close(s.done)
	}()
	deadline := time.Now().Add(60 * time.Second)
	hc := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("applinks exited before it was ready: %v (log: %s)", s.exitErr(), cfg.LogPath)
		case <-ctx.Done():
			s.Kill()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := hc.Get(s.URL + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.Kill()
	return nil, fmt.Errorf("applinks did not answer /healthz within 60s (log: %s)", cfg.LogPath)
}

func (s *Service) exitErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// PeakRSSKiB is the process's VmHWM so far.
func (s *Service) PeakRSSKiB() int64 { return PeakRSSKiB(s.PID) }

// Kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (s *Service) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Stop sends SIGTERM and waits up to grace, then kills.
func (s *Service) Stop(grace time.Duration) error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(grace):
		s.Kill()
		return fmt.Errorf("applinks (pid %d) did not stop within %s: killed", s.PID, grace)
	}
}

// Exited reports whether the process has ended.
func (s *Service) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
