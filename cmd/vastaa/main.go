// Command vastaa is the voice front door of a contact centre: it answers SIP
// calls, understands callers in English, Finnish, Swedish and Latvian, serves
// them from the knowledge base or hands them to a human queue.
//
//	vastaa serve      answer calls (SIP + HTTP API), embedded defaults
//	vastaa call       a test caller: dial, say or play something, print what was heard
//	vastaa calls      list recorded calls
//	vastaa tasks      voicemail tasks for the teams
//	vastaa kb         knowledge base: ingest, search, stats, eval
//	vastaa eval       scripted callers, scores, reports
//	vastaa bench      media, turn-latency and knowledge-store benchmarks
//	vastaa version
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `vastaa: the voice front door of a contact centre

Usage:
  vastaa serve [flags]     answer calls over SIP; HTTP API for call records
  vastaa call [flags]      dial a SIP URI as a test caller and print what was heard
  vastaa calls [flags]     list recorded calls (or one call with --id)
  vastaa tasks [flags]     voicemail tasks (tasks set ID --status solved --assignee NAME)
  vastaa kb <ingest|search|stats|eval>
                           manage and query the knowledge base
  vastaa eval <run|compare>
                           play scripted callers through the bot; scores and reports
  vastaa report kpis [--since 24h]
                           contact-centre KPIs from the call records
  vastaa bench <media|turn|kb> [flags]
                           measure the media path or the turn latency
  vastaa version           print the version

Run "vastaa <command> --help" for the flags of a command. Every flag can also
be set with an environment variable: VASTAA_ and the flag name in capitals
with "-" as "_" (e.g. VASTAA_SIP_ADDR for --sip-addr).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serveCmd(ctx, args[1:])
	case "call":
		err = callCmd(ctx, args[1:])
	case "calls":
		err = callsCmd(ctx, args[1:])
	case "tasks":
		err = tasksCmd(ctx, args[1:])
	case "bench":
		err = benchCmd(ctx, args[1:])
	case "kb":
		err = kbCmd(ctx, args[1:])
	case "eval":
		err = evalCmd(ctx, args[1:])
	case "report":
		err = reportCmd(ctx, args[1:])
	case "version", "--version", "-v":
		fmt.Println("vastaa", version)
		return 0
	case "help", "--help", "-h":
		fmt.Print(usage)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "vastaa: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err == errHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vastaa:", err)
		return 1
	}
	return 0
}
