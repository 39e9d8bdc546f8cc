package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/schedule"
)

// runScheduleNext prints the next runs of a schedule spec, so anyone can
// check what "every 2 weeks on friday 16:00" means before setting it.
func runScheduleNext(args []string, stdout, stderr io.Writer) error {
	const use = `usage: racebot schedule next "<spec>" [--after 2026-03-27T00:00:00Z] [--count 5] [--zone Europe/Berlin]`
	if len(args) > 0 && slices.Contains([]string{"-h", "-help", "--help"}, args[0]) {
		fmt.Fprintln(stdout, use)
		return nil
	}
	if len(args) == 0 || args[0] != "next" {
		fmt.Fprintln(stderr, use)
		return errUsage
	}
	fs := newFlagSet(`racebot schedule next "<spec>"`, stderr)
	after := fs.String("after", "", "start after this RFC 3339 time (default now)")
	count := fs.Int("count", 5, "how many runs to print")
	zone := fs.String("zone", "UTC", "IANA time zone for specs that name none")
	// The spec's words may come quoted or not, before, between or after
	// the flags: every word that is not one of these flags (or its value)
	// belongs to it, "-05:00" included, so that the schedule explains it;
	// after "--" every word does.
	var words, flags []string
	for rest := args[1:]; len(rest) > 0; rest = rest[1:] {
		w := rest[0]
		if w == "--" {
			words = append(words, rest[1:]...)
			break
		}
		name := strings.TrimPrefix(strings.TrimPrefix(w, "-"), "-")
		name, _, hasValue := strings.Cut(name, "=")
		if !strings.HasPrefix(w, "-") || (fs.Lookup(name) == nil && name != "h" && name != "help") {
			words = append(words, w)
			continue
		}
		// Every flag here takes a value, given with '=' or as the next word.
		flags = append(flags, w)
		if !hasValue && fs.Lookup(name) != nil && len(rest) > 1 {
			flags, rest = append(flags, rest[1]), rest[1:]
		}
	}
	if help, err := parseFlags(fs, flags, stdout); help || err != nil {
		return err
	}
	spec := strings.Join(words, " ")
	if spec == "" {
		fmt.Fprintln(stderr, `racebot schedule next: give a schedule, for example "every monday 09:00 Europe/Berlin"`)
		return errUsage
	}
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		return fmt.Errorf("unknown time zone %q: use an IANA name such as Europe/Berlin", *zone)
	}
	start := time.Now()
	if *after != "" {
		if start, err = time.Parse(time.RFC3339, *after); err != nil {
			return fmt.Errorf("--after %q is not an RFC 3339 time such as 2026-03-27T00:00:00Z", *after)
		}
	}
	if *count < 1 || *count > 1000 {
		return fmt.Errorf("--count must be between 1 and 1000")
	}
	s, err := schedule.Parse(spec, loc)
	if err != nil {
		return fmt.Errorf("%s", flows.Explain(err).String())
	}
	fmt.Fprintf(stdout, "%s\n", s.Describe())
	for _, t := range s.Upcoming(start, *count) {
		fmt.Fprintf(stdout, "%s  (%s)\n", t.In(s.Zone()).Format("Mon 2006-01-02 15:04 MST"), t.UTC().Format(time.RFC3339))
	}
	return nil
}

// parseSchedule tells the coach whether `checkin <spec>` typed in a
// conversation names a schedule, and so is a command rather than an answer.
func parseSchedule(spec string) error {
	_, err := schedule.Parse(spec, nil)
	return err
}
