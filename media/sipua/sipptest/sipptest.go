// Package sipptest runs sipp (Debian package sip-tester) scenarios from Go
// tests against a SIP server on loopback. The scenarios shipped with package
// sipua live in media/sipua/testdata; Scenario finds them.
package sipptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// Binary is the sipp executable name looked up in PATH.
const Binary = "sipp"

// Options describe one sipp run. sipp always runs with -m Calls, -timeout,
// -timeout_error and -trace_err so a hang or an unexpected message fails it.
type Options struct {
	Scenario  string            // path to a scenario XML file
	Target    string            // host:port of the SIP server under test
	Transport string            // "udp" (default) or "tcp"
	Service   string            // user part of the request URI, default "bot"
	LocalIP   string            // default 127.0.0.1
	LocalPort int               // SIP port for sipp; 0 picks a free one
	MediaPort int               // sipp's RTP port (play_dtmf, rtp_stream); 0 picks a free one
	Calls     int               // default 1
	Timeout   time.Duration     // default 20s
	Vars      map[string]string // -set name value, usable as [$name] in the scenario
	Extra     []string          // further sipp arguments
	Dir       string            // where sipp writes its logs; default a new temp dir
}

// Result is what one run left behind.
type Result struct {
	ExitCode int
	Output   string // sipp's stdout and stderr
	Errors   string // the -trace_err file: unexpected messages
	Messages string // the -trace_msg file: every SIP message sent and received
	Args     []string
}

// Failed summarises the run for a test failure message.
func (r Result) Failed() string {
	return fmt.Sprintf("sipp %v exited %d\n--- errors:\n%s\n--- messages:\n%s", r.Args, r.ExitCode, r.Errors, r.Messages)
}

// Available reports whether sipp is installed.
func Available() bool {
	_, err := exec.LookPath(Binary)
	return err == nil
}

// Require fails t unless sipp is installed: the tests that use it test
// against a real SIP peer, and never skip that silently.
func Require(t testing.TB) {
	t.Helper()
	if !Available() {
		t.Fatal("sipp (Debian package sip-tester) is required for this test")
	}
}

// Scenario returns the absolute path of a scenario in media/sipua/testdata.
func Scenario(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", name)
}

// FreeUDPPort asks the OS for a UDP port that is free on ip right now.
func FreeUDPPort(ip string) (int, error) {
	pc, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, err
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port, nil
}

// Run runs sipp once and waits for it. A non-zero exit is not an error:
// read Result.ExitCode.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Scenario == "" || o.Target == "" {
		return Result{}, errors.New("sipptest: Scenario and Target are required")
	}
	if o.LocalIP == "" {
		o.LocalIP = "127.0.0.1"
	}
	if o.Service == "" {
		o.Service = "bot"
	}
	if o.Calls == 0 {
		o.Calls = 1
	}
	if o.Timeout == 0 {
		o.Timeout = 20 * time.Second
	}
	transport := "u1"
	switch o.Transport {
	case "", "udp":
	case "tcp":
		transport = "t1"
	default:
		return Result{}, fmt.Errorf("sipptest: transport %q", o.Transport)
	}
	var err error
	if o.LocalPort == 0 {
		if o.LocalPort, err = FreeUDPPort(o.LocalIP); err != nil {
			return Result{}, err
		}
	}
	if o.MediaPort == 0 {
		if o.MediaPort, err = FreeUDPPort(o.LocalIP); err != nil {
			return Result{}, err
		}
	}
	if o.Dir == "" {
		if o.Dir, err = os.MkdirTemp("", "sipp-"); err != nil {
			return Result{}, err
		}
	}
	errFile := filepath.Join(o.Dir, "errors.log")
	msgFile := filepath.Join(o.Dir, "messages.log")
	args := []string{"-sf", o.Scenario, "-t", transport, "-i", o.LocalIP, "-p", strconv.Itoa(o.LocalPort),
		"-mi", o.LocalIP, "-mp", strconv.Itoa(o.MediaPort), "-s", o.Service,
		"-m", strconv.Itoa(o.Calls), "-timeout", fmt.Sprintf("%ds", int(o.Timeout.Seconds()+0.999)), "-timeout_error",
		"-trace_err", "-error_file", errFile, "-trace_msg", "-message_file", msgFile, "-nostdin"}
	for k, v := range o.Vars {
		args = append(args, "-set", k, v)
	}
	args = append(args, o.Extra...)
	args = append(args, o.Target)

	// The context bound is a backstop above sipp's own -timeout.
	ctx, cancel := context.WithTimeout(ctx, o.Timeout+10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary, args...)
	cmd.Dir = o.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	res := Result{Output: out.String(), Args: args}
	if b, err := os.ReadFile(errFile); err == nil {
		res.Errors = string(b)
	}
	if b, err := os.ReadFile(msgFile); err == nil {
		res.Messages = string(b)
	}
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
	case errors.As(runErr, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	default:
		return res, fmt.Errorf("sipptest: running sipp: %w", runErr)
	}
	return res, nil
}

// RunT runs sipp with the test's context and temp dir and fails t unless
// sipp exits 0.
func RunT(t testing.TB, o Options) Result {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	res, err := Run(t.Context(), o)
	if err != nil {
		t.Fatalf("sipp: %v", err)
	}
	if res.ExitCode != 0 {
		t.Fatalf("%s", res.Failed())
	}
	return res
}
