package main

import (
	"context"
	"errors"
	"io"
)

func runSlack(ctx context.Context, cfg Config, mode Mode, stderr io.Writer) error {
	return errors.New("Slack mode is not available in this build yet; unset the Slack tokens to use the terminal coach")
}
