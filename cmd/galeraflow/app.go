package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/galeraflow/galeraflow/inventory"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// env is what the CLI takes from its surroundings, so tests can drive the
// whole app in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// interactive reports whether stderr is a terminal (live progress) and
	// stdin can answer prompts.
	interactive bool
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr, interactive: isTerminal(stderr) && isTerminal(stdin)}
	err := newApp(e).RunContext(ctx, args)
	if err != nil {
		reportError(stderr, err)
	}
	return exitCode(err)
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// reportError prints the error once, plainly: no stack traces, one problem a
// line, so an operator (or a cron mail) can read it.
func reportError(w io.Writer, err error) {
	msg := strings.TrimSpace(err.Error())
	if errors.Is(err, errUsage) {
		msg = strings.TrimPrefix(msg, errUsage.Error()+": ")
	}
	fmt.Fprintf(w, "galeraflow: %s\n", strings.ReplaceAll(msg, "\n", "\n  "))
}

func newApp(e env) *cli.App {
	app := &cli.App{
		Name:    "galeraflow",
		Usage:   "secure and operate MariaDB/Galera clusters over SSH",
		Version: version,
		Description: "galeraflow reads a YAML inventory of cluster nodes and works on them over SSH:\n" +
			"it checks the cluster, enables TLS for state snapshot transfers, replication and\n" +
			"clients, and restarts the cluster the way Galera demands (stop all, bootstrap one).\n\n" +
			exitCodeHelp,
		Reader:               e.stdin,
		Writer:               e.stdout,
		ErrWriter:            e.stderr,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "result format on stdout: text or json"},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error (logs go to stderr)", EnvVars: []string{"GALERAFLOW_LOG_LEVEL"}},
			&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log format on stderr: text or json"},
		},
		Before: func(c *cli.Context) error {
			if o := c.String("output"); o != "text" && o != "json" {
				return fmt.Errorf("%w: --output must be text or json, got %q", errUsage, o)
			}
			return nil
		},
		Commands: []*cli.Command{
			checkCommand(e),
			statusCommand(e),
			runCommand(e),
			planCommand(e),
			restartCommand(e), recoverCommand(e),
			certsCommand(e), rotateCommand(e),
		},
		// urfave/cli would otherwise print and os.Exit on its own.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   usageError,
	}
	for _, cmd := range app.Commands {
		cmd.OnUsageError = usageError
	}
	return app
}

// usageError marks flag mistakes so they exit with exitInvalid.
func usageError(c *cli.Context, err error, _ bool) error {
	return fmt.Errorf("%w: %v (see `galeraflow --help`)", errUsage, err)
}

// logger builds the run's logger from the global flags: stderr, slog.
func logger(c *cli.Context, e env) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return nil, fmt.Errorf("%w: --log-level: %v", errUsage, err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.String("log-format") {
	case "text":
		return slog.New(slog.NewTextHandler(e.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, opts)), nil
	default:
		return nil, fmt.Errorf("%w: --log-format must be text or json", errUsage)
	}
}

// openInventory loads the command's INVENTORY argument and builds the
// run's logger, which reports the inventory's warnings.
func openInventory(c *cli.Context, e env) (*inventory.Inventory, *slog.Logger, error) {
	path, err := inventoryArg(c)
	if err != nil {
		return nil, nil, err
	}
	log, err := logger(c, e)
	if err != nil {
		return nil, nil, err
	}
	inv, err := inventory.Load(path)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range inv.Warnings {
		log.Warn(w.String())
	}
	return inv, log, nil
}

// inventoryArg returns the single INVENTORY argument of a command.
func inventoryArg(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", fmt.Errorf("%w: %s needs exactly one argument, the inventory file (got %d)", errUsage, c.Command.Name, c.NArg())
	}
	return c.Args().First(), nil
}
