package schedule

import (
	"regexp"
	"strings"
	"time"

	// The zone database is embedded so a schedule means the same on every
	// host: distroless and scratch images have no /usr/share/zoneinfo, and
	// a missing zone must not turn into a parse error in production only.
	_ "time/tzdata"
)

var (
	// zoneLike matches IANA names: Area/Location with optional further
	// parts. Cron step fields ("*/5", "1-5/2") never start with a letter.
	zoneLike = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z][A-Za-z0-9_+\-]*)+$`)
	// offsetLike matches fixed offsets, with or without a UTC/GMT prefix.
	offsetLike = regexp.MustCompile(`(?i)^(?:utc|gmt)?[+\-−]\d{1,2}(?::?\d{2})?$`)
)

// abbreviations are zone abbreviations people type instead of a zone name,
// with the city zone most of them mean.
var abbreviations = map[string]string{
	"cet": "Europe/Berlin", "cest": "Europe/Berlin", "met": "Europe/Berlin", "mez": "Europe/Berlin",
	"eet": "Europe/Athens", "eest": "Europe/Athens", "wet": "Europe/Lisbon", "west": "Europe/Lisbon",
	"gmt": "Europe/London", "bst": "Europe/London",
	"est": "America/New_York", "edt": "America/New_York", "cst": "America/Chicago", "cdt": "America/Chicago",
	"mst": "America/Denver", "mdt": "America/Denver", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
	"akst": "America/Anchorage", "hst": "Pacific/Honolulu", "ist": "Asia/Kolkata", "jst": "Asia/Tokyo",
	"aest": "Australia/Sydney", "aedt": "Australia/Sydney", "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland",
}

// isZoneToken reports whether a word is meant as a time zone, valid or
// not, so it can be checked as one instead of confusing the rest of the
// parser.
func isZoneToken(w string) bool {
	lw := strings.ToLower(w)
	return zoneLike.MatchString(w) || offsetLike.MatchString(w) || abbreviations[lw] != "" || lw == "utc" || lw == "z"
}

// loadZone turns a zone the user typed into a location, accepting only
// IANA city names (and UTC): abbreviations and offsets are fixed, so a
// schedule written with them would drift by an hour when daylight saving
// starts or ends.
func loadZone(name string) (*time.Location, string, error) {
	lower := strings.ToLower(name)
	switch {
	case lower == "utc" || lower == "etc/utc" || lower == "z":
		canon := "UTC"
		if lower == "etc/utc" {
			canon = "Etc/UTC"
		}
		loc, err := time.LoadLocation(canon)
		return loc, canon, err
	case offsetLike.MatchString(name) || strings.HasPrefix(lower, "etc/"):
		return nil, "", bad("%q is a fixed offset, which would be an hour off whenever daylight saving changes; use a city zone name like Europe/Berlin.", name)
	case abbreviations[lower] != "":
		return nil, "", bad("%q is an abbreviation, which can't follow daylight saving; use a city zone name like %s.", name, abbreviations[lower])
	case !zoneLike.MatchString(name):
		return nil, "", bad("%q is not a time zone name I know; use a city zone name like Europe/Berlin or America/New_York.", name)
	}
	for _, candidate := range []string{name, titleZone(name)} {
		if loc, err := time.LoadLocation(candidate); err == nil {
			return loc, candidate, nil
		}
	}
	return nil, "", bad("I don't know the time zone %q; use a city zone name like Europe/Berlin or America/New_York.", name)
}

// titleZone fixes the case of a zone typed in lower case:
// "america/los_angeles" → "America/Los_Angeles". The zone database is
// case-sensitive; this covers all but a few names like Port-au-Prince.
func titleZone(name string) string {
	b := []byte(strings.ToLower(name))
	for i := range b {
		if i == 0 || b[i-1] == '/' || b[i-1] == '_' || b[i-1] == '-' {
			if b[i] >= 'a' && b[i] <= 'z' {
				b[i] -= 'a' - 'A'
			}
		}
	}
	return string(b)
}
