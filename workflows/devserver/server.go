// Package devserver runs a Temporal server inside the Vastaa process, on
// SQLite (a file, or memory), so the product needs no outside services by
// default. It is built on the server's public API and tuned for a voice
// bot: a turn must not wait for the default poll and timer granularity.
//
// Only the binary and this package's tests link the server (a heavy build);
// the rest of the tree talks to Temporal through the SDK alone.
package devserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// Config says where the embedded server keeps its data and listens.
type Config struct {
	// DBPath is the SQLite file; empty keeps everything in memory.
	DBPath string
	// Namespace is created if missing (default "default").
	Namespace string
	// IP to listen on (default 127.0.0.1).
	IP string
	// FrontendPort for clients; 0 picks a free port.
	FrontendPort int
	// Logger receives the server's warnings and errors.
	Logger *slog.Logger
}

// Server is a running embedded Temporal server.
type Server struct {
	srv      temporal.Server
	hostPort string
	ns       string
	log      *slogLogger
}

// tuning makes the server answer a voice bot in milliseconds: without it a
// workflow task waits up to ~100 ms to be polled and timers fire up to 1 s
// late (measured in PLATFORM.md).
func tuning() dynamicconfig.StaticClient {
	v := func(x any) []dynamicconfig.ConstrainedValue { return []dynamicconfig.ConstrainedValue{{Value: x}} }
	return dynamicconfig.StaticClient{
		dynamicconfig.TransferProcessorMaxPollRPS.Key():       v(1000),
		dynamicconfig.TimerProcessorMaxTimeShift.Key():        v(10 * time.Millisecond),
		dynamicconfig.HistoryLongPollExpirationInterval.Key(): v(2 * time.Second),
		// One partition per task queue: with several, a poll and a task can
		// sit in different partitions and wait for forwarding.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():      v(1),
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key():     v(1),
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): v(true),
		// Entity workflows (a resource's bookings, the queues) take many
		// updates at once: 50 callers for one slot must all be answered,
		// not held back 10 at a time.
		dynamicconfig.WorkflowExecutionMaxInFlightUpdates.Key(): v(500),
	}
}

// Start creates (or reopens) the database and starts all services.
// pruneMembership forgets the cluster members a previous run of the
// embedded server left in its database. They are dead (this server is the
// only process using the file), but the new server would count them as
// hosts until their records expire, and route nothing to its own history
// and matching services for about a minute after a restart.
func pruneMembership(path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(`DELETE FROM cluster_membership`)
	return err
}

func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	if cfg.IP == "" {
		cfg.IP = "127.0.0.1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ports, err := freePorts(cfg.IP, 8)
	if err != nil {
		return nil, err
	}
	if cfg.FrontendPort == 0 {
		cfg.FrontendPort = ports[0]
	}

	sqlCfg := &config.SQL{PluginName: sqliteplugin.PluginName, ConnectAttributes: map[string]string{}}
	if cfg.DBPath == "" {
		sqlCfg.DatabaseName = "vastaa-" + strconv.Itoa(rand.IntN(1<<30))
		sqlCfg.ConnectAttributes["mode"] = "memory"
		sqlCfg.ConnectAttributes["cache"] = "shared"
	} else {
		sqlCfg.DatabaseName = cfg.DBPath
		sqlCfg.ConnectAttributes["mode"] = "rwc"
		sqlCfg.ConnectAttributes["_journal_mode"] = "wal"
		sqlCfg.ConnectAttributes["_synchronous"] = "normal"
		if err := os.MkdirAll(filepath.Dir(cfg.DBPath), 0o750); err != nil {
			return nil, fmt.Errorf("temporal database directory: %w", err)
		}
		if _, err := os.Stat(cfg.DBPath); errors.Is(err, os.ErrNotExist) {
			if err := sqlite.SetupSchema(sqlCfg); err != nil {
				return nil, fmt.Errorf("temporal schema: %w", err)
			}
		} else if err := pruneMembership(cfg.DBPath); err != nil {
			return nil, fmt.Errorf("temporal database %s: %w", cfg.DBPath, err)
		}
	}
	const clusterName = "active"
	nsCfg, err := sqlite.NewNamespaceConfig(clusterName, cfg.Namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("temporal namespace: %w", err)
	}
	if err := sqlite.CreateNamespaces(sqlCfg, nsCfg); err != nil {
		return nil, fmt.Errorf("temporal namespace: %w", err)
	}

	hostPort := net.JoinHostPort(cfg.IP, strconv.Itoa(cfg.FrontendPort))
	service := func(grpc, membership int, frontend bool) config.Service {
		rpc := config.RPC{GRPCPort: grpc, MembershipPort: membership, BindOnIP: cfg.IP}
		return config.Service{RPC: rpc}
	}
	sc := &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: cfg.IP},
		},
		Persistence: config.Persistence{
			DefaultStore: sqliteplugin.PluginName, VisibilityStore: sqliteplugin.PluginName, NumHistoryShards: 1,
			DataStores: map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace: false, FailoverVersionIncrement: 10,
			MasterClusterName: clusterName, CurrentClusterName: clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: hostPort},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": service(cfg.FrontendPort, ports[1], true),
			"history":  service(ports[2], ports[3], false),
			"matching": service(ports[4], ports[5], false),
			"worker":   service(ports[6], ports[7], false),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History: config.HistoryArchivalNamespaceDefaults{State: "disabled"}, Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: hostPort},
	}
	logger := newLogger(cfg.Logger)
	logger.quiet.Store(true)
	srv, err := temporal.NewServer(
		temporal.WithConfig(sc),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(tuning()),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("temporal server start: %w", err)
	}
	s := &Server{srv: srv, hostPort: hostPort, ns: cfg.Namespace, log: logger}
	if err := s.waitReady(ctx); err != nil {
		srv.Stop()
		return nil, err
	}
	logger.quiet.Store(false)
	return s, nil
}

// waitReady waits until the frontend answers for the namespace.
func (s *Server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := client.Dial(client.Options{HostPort: s.hostPort, Namespace: s.ns, Logger: quietSDKLogger{}})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			c.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("temporal server not ready at %s: %w", s.hostPort, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// HostPort is the frontend address for clients.
func (s *Server) HostPort() string { return s.hostPort }

// Stop shuts the server down.
func (s *Server) Stop() error {
	// Services shutting down one by one complain that their peers are gone:
	// expected, so not errors worth showing.
	s.log.quiet.Store(true)
	return s.srv.Stop()
}

// freePorts reserves n distinct free TCP ports on ip.
func freePorts(ip string, n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}
