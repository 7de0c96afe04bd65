// Command emgek is the e-services portal of a labour and migration
// ministry. Run "emgek help" for its commands.
package main

import (
	"context"
	"os"

	"github.com/emgek/emgek/internal/app"
)

func main() {
	os.Exit(app.Main(context.Background(), os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}
