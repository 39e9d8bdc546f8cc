package flows

import (
	"errors"
	"testing"
)

var fuzzUnits = []UnitKind{UnitCount, UnitCurrency, UnitPercent, UnitDuration, UnitRatio}

// FuzzParseValue checks that ParseValue never panics, that every error is a
// friendly ErrBadValue, and that every value it accepts survives a trip
// through FormatValue.
func FuzzParseValue(f *testing.F) {
	seeds := []string{
		"12.4k", "1.2M", "3bn", "$18,250", "€900", "£1.5k", "18 250", "18.250,50", "1,25",
		"12.400", "3.5%", "0.8", "2m 30s", "150s", "1h 5m", "2:30", "1:02:30", "n/a", "-",
		"-$1,200", "1,250,000", "1.250.000", "0,5", "90", "USD 18,250", "900€", "1e3", "",
	}
	for _, s := range seeds {
		for i := range fuzzUnits {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, s string, unit uint8) {
		want := fuzzUnits[int(unit)%len(fuzzUnits)]
		v, err := ParseValue(s, want)
		if err != nil {
			checkFriendly(t, err)
			return
		}
		if v.Unit != want {
			t.Fatalf("ParseValue(%q, %s) unit = %s", s, want, v.Unit)
		}
		checkRoundTrip(t, v)
	})
}

// FuzzParseReadings checks that ParseReadings never panics, that its errors
// are friendly, and that each reading is exactly what ParseValue makes of its
// raw text.
func FuzzParseReadings(f *testing.F) {
	for _, s := range []string{
		"visitors 12.4k, leads 310, revenue $18,250",
		"revenue $18,250, leads 310",
		"visitors: 12.4k\nleads=310",
		"12.4k visitors; 310 leads",
		"time on site 2:30, bounce rate 41%, aov €45.50",
		"- visitors 12k\n1. leads 1,25\n<@U1> thanks!",
		"2026 visitors 12k",
		"pages per visit: 2.3 leads n/a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		units := map[string]UnitKind{}
		readings, errs := ParseReadings(s, func(token string) (string, UnitKind, bool) {
			id, unit, ok := testNames(token)
			units[id] = unit
			return id, unit, ok
		})
		for _, err := range errs {
			checkFriendly(t, err)
		}
		seen := map[string]bool{}
		for _, r := range readings {
			unit, ok := units[r.KPI]
			if !ok || seen[r.KPI] {
				t.Fatalf("ParseReadings(%q) gave unknown or repeated KPI %q", s, r.KPI)
			}
			seen[r.KPI] = true
			v, err := ParseValue(r.Raw, unit)
			if err != nil || v != r.Value {
				t.Fatalf("ParseReadings(%q) reading %+v, but ParseValue(%q) = %+v, %v", s, r, r.Raw, v, err)
			}
			checkRoundTrip(t, r.Value)
		}
	})
}

func checkFriendly(tb testing.TB, err error) {
	tb.Helper()
	if !errors.Is(err, ErrBadValue) {
		tb.Fatalf("error %v is not ErrBadValue", err)
	}
	if msg := Explain(err); len(msg) == 0 || err.Error() == "" {
		tb.Fatalf("error %#v has no message", err)
	}
}
