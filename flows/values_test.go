package flows

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseValue(t *testing.T) {
	tests := []struct {
		in   string
		unit UnitKind
		want Value
	}{
		// Counts.
		{"310", UnitCount, Value{Amount: 310, Unit: UnitCount}},
		{"  310  ", UnitCount, Value{Amount: 310, Unit: UnitCount}},
		{"12.4k", UnitCount, Value{Amount: 12400, Unit: UnitCount}},
		{"12.4K", UnitCount, Value{Amount: 12400, Unit: UnitCount}},
		{"12.4 k", UnitCount, Value{Amount: 12400, Unit: UnitCount}},
		{"12.400k", UnitCount, Value{Amount: 12400, Unit: UnitCount}},
		{"1.2M", UnitCount, Value{Amount: 1.2e6, Unit: UnitCount}},
		{"1.2m", UnitCount, Value{Amount: 1.2e6, Unit: UnitCount}},
		{"1.2 million", UnitCount, Value{Amount: 1.2e6, Unit: UnitCount}},
		{"3bn", UnitCount, Value{Amount: 3e9, Unit: UnitCount}},
		{"3B", UnitCount, Value{Amount: 3e9, Unit: UnitCount}},
		{"5 thousand", UnitCount, Value{Amount: 5000, Unit: UnitCount}},
		{"1,250", UnitCount, Value{Amount: 1250, Unit: UnitCount}},
		{"1,250,000", UnitCount, Value{Amount: 1250000, Unit: UnitCount}},
		{"18 250", UnitCount, Value{Amount: 18250, Unit: UnitCount}},
		{"18\u00a0250", UnitCount, Value{Amount: 18250, Unit: UnitCount}},
		{"18\u202f250", UnitCount, Value{Amount: 18250, Unit: UnitCount}},
		{"18'250", UnitCount, Value{Amount: 18250, Unit: UnitCount}},
		{"1.250.000", UnitCount, Value{Amount: 1250000, Unit: UnitCount}},
		{"0.400", UnitCount, Value{Amount: 0.4, Unit: UnitCount}},
		{"1234.5", UnitCount, Value{Amount: 1234.5, Unit: UnitCount}},
		{"12.4", UnitCount, Value{Amount: 12.4, Unit: UnitCount}},
		{"+5", UnitCount, Value{Amount: 5, Unit: UnitCount}},
		{"0", UnitCount, Value{Amount: 0, Unit: UnitCount}},
		{"-0", UnitCount, Value{Amount: 0, Unit: UnitCount}},
		{"310.", UnitCount, Value{Amount: 310, Unit: UnitCount}},
		// Money.
		{"$18,250", UnitCurrency, Value{Amount: 18250, Unit: UnitCurrency, Currency: "USD"}},
		{"$ 18,250.50", UnitCurrency, Value{Amount: 18250.5, Unit: UnitCurrency, Currency: "USD"}},
		{"€900", UnitCurrency, Value{Amount: 900, Unit: UnitCurrency, Currency: "EUR"}},
		{"900€", UnitCurrency, Value{Amount: 900, Unit: UnitCurrency, Currency: "EUR"}},
		{"900 EUR", UnitCurrency, Value{Amount: 900, Unit: UnitCurrency, Currency: "EUR"}},
		{"£1.5k", UnitCurrency, Value{Amount: 1500, Unit: UnitCurrency, Currency: "GBP"}},
		{"1.5k GBP", UnitCurrency, Value{Amount: 1500, Unit: UnitCurrency, Currency: "GBP"}},
		{"1.5k€", UnitCurrency, Value{Amount: 1500, Unit: UnitCurrency, Currency: "EUR"}},
		{"USD 18,250", UnitCurrency, Value{Amount: 18250, Unit: UnitCurrency, Currency: "USD"}},
		{"usd18250", UnitCurrency, Value{Amount: 18250, Unit: UnitCurrency, Currency: "USD"}},
		{"$18,250 USD", UnitCurrency, Value{Amount: 18250, Unit: UnitCurrency, Currency: "USD"}},
		{"18250", UnitCurrency, Value{Amount: 18250, Unit: UnitCurrency}},
		{"$12.40", UnitCurrency, Value{Amount: 12.4, Unit: UnitCurrency, Currency: "USD"}},
		{"-$1,200", UnitCurrency, Value{Amount: -1200, Unit: UnitCurrency, Currency: "USD"}},
		{"$-1,200", UnitCurrency, Value{Amount: -1200, Unit: UnitCurrency, Currency: "USD"}},
		{"−300 EUR", UnitCurrency, Value{Amount: -300, Unit: UnitCurrency, Currency: "EUR"}},
		{"$2.5M", UnitCurrency, Value{Amount: 2.5e6, Unit: UnitCurrency, Currency: "USD"}},
		// Percentages.
		{"3.5%", UnitPercent, Value{Amount: 3.5, Unit: UnitPercent}},
		{"3.5 %", UnitPercent, Value{Amount: 3.5, Unit: UnitPercent}},
		{"3.5", UnitPercent, Value{Amount: 3.5, Unit: UnitPercent}},
		{"3.5 percent", UnitPercent, Value{Amount: 3.5, Unit: UnitPercent}},
		{"12.400%", UnitPercent, Value{Amount: 12.4, Unit: UnitPercent}},
		{"150%", UnitPercent, Value{Amount: 150, Unit: UnitPercent}},
		{"0.8%", UnitPercent, Value{Amount: 0.8, Unit: UnitPercent}},
		{"0", UnitPercent, Value{Amount: 0, Unit: UnitPercent}},
		{"1", UnitPercent, Value{Amount: 1, Unit: UnitPercent}},
		// Ratios.
		{"0.8", UnitRatio, Value{Amount: 0.8, Unit: UnitRatio}},
		{"2.125", UnitRatio, Value{Amount: 2.125, Unit: UnitRatio}},
		{".5", UnitRatio, Value{Amount: 0.5, Unit: UnitRatio}},
		{"-12", UnitRatio, Value{Amount: -12, Unit: UnitRatio}},
		// Durations, in seconds.
		{"2m 30s", UnitDuration, Value{Amount: 150, Unit: UnitDuration}},
		{"2m30s", UnitDuration, Value{Amount: 150, Unit: UnitDuration}},
		{"2 min 30 sec", UnitDuration, Value{Amount: 150, Unit: UnitDuration}},
		{"150s", UnitDuration, Value{Amount: 150, Unit: UnitDuration}},
		{"90 seconds", UnitDuration, Value{Amount: 90, Unit: UnitDuration}},
		{"1h 5m", UnitDuration, Value{Amount: 3900, Unit: UnitDuration}},
		{"1.5h", UnitDuration, Value{Amount: 5400, Unit: UnitDuration}},
		{"2 Minutes", UnitDuration, Value{Amount: 120, Unit: UnitDuration}},
		{"2:30", UnitDuration, Value{Amount: 150, Unit: UnitDuration}},
		{"0:45", UnitDuration, Value{Amount: 45, Unit: UnitDuration}},
		{"1:02:30", UnitDuration, Value{Amount: 3750, Unit: UnitDuration}},
		{"2:30.5", UnitDuration, Value{Amount: 150.5, Unit: UnitDuration}},
		{"0", UnitDuration, Value{Amount: 0, Unit: UnitDuration}},
		// No value this time.
		{"n/a", UnitCount, Value{Unit: UnitCount, Missing: true}},
		{"N/A", UnitCurrency, Value{Unit: UnitCurrency, Missing: true}},
		{"-", UnitPercent, Value{Unit: UnitPercent, Missing: true}},
		{"none", UnitDuration, Value{Unit: UnitDuration, Missing: true}},
		{"—", UnitRatio, Value{Unit: UnitRatio, Missing: true}},
	}
	for _, tt := range tests {
		got, err := ParseValue(tt.in, tt.unit)
		if err != nil {
			t.Errorf("ParseValue(%q, %s): %v", tt.in, tt.unit, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.Comparer(closeEnough)); diff != "" {
			t.Errorf("ParseValue(%q, %s) mismatch (-want +got):\n%s", tt.in, tt.unit, diff)
		}
	}
}

func closeEnough(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) }

func TestParseValueErrors(t *testing.T) {
	tests := []struct {
		in   string
		unit UnitKind
		msg  string
	}{
		{"1,25", UnitCount, `"1,25" is ambiguous: did you mean 1.25 or 125? Write it as 1.25 or 125.`},
		{"$1,25", UnitCurrency, `"$1,25" is ambiguous: did you mean $1.25 or $125? Write it as $1.25 or $125.`},
		{"12,4k", UnitCount, `"12,4k" is ambiguous: did you mean 12.4k or 124k? Write it as 12.4k or 124k.`},
		// For a percentage, the way out of one ambiguity is not another:
		// "0.5" would be asked about in turn.
		{"0,5", UnitPercent, `"0,5" is ambiguous: did you mean 0.5% or 5%? Write it as 0.5% or 5%.`},
		// A fraction below 1 with no percent sign may be a share (1.9%)
		// or a percentage without its sign (0.019%).
		{"0.019", UnitPercent, `"0.019" is ambiguous: did you mean 1.9% or 0.019%? Write it as 1.9% or 0.019%.`},
		{"0.8", UnitPercent, `"0.8" is ambiguous: did you mean 80% or 0.8%? Write it as 80% or 0.8%.`},
		{".5", UnitPercent, `".5" is ambiguous: did you mean 50% or .5%? Write it as 50% or .5%.`},
		{"12.400", UnitCount, `"12.400" is ambiguous: did you mean 12.4 or 12,400? Write it as 12.4 or 12,400.`},
		{"€12.400", UnitCurrency, `"€12.400" is ambiguous: did you mean €12.4 or €12,400? Write it as €12.4 or €12,400.`},
		{"18.250,50", UnitCurrency, `"18.250,50" uses a comma for decimals: did you mean 18250.50? Write it as 18250.50, with a dot for decimals.`},
		{"18 250,5", UnitCount, `"18 250,5" uses a comma for decimals: did you mean 18250.5? Write it as 18250.5, with a dot for decimals.`},
		{"$310", UnitCount, `"$310" is an amount of money, but this KPI is a count; write it like 310 or 12.4k.`},
		{"310 EUR", UnitPercent, `"310 EUR" is an amount of money, but this KPI is a percentage; write it like 3.5%.`},
		{"3.5%", UnitCurrency, `"3.5%" is a percentage, but this KPI is an amount of money; write it like $18,250.`},
		{"80%", UnitRatio, `"80%" is a percentage, but this KPI is a ratio; write it like 0.8.`},
		{"2m 30s", UnitCount, `"2m 30s" is a length of time, but this KPI is a count; write it like 310 or 12.4k.`},
		{"150s", UnitRatio, `"150s" is a length of time, but this KPI is a ratio; write it like 0.8.`},
		{"$5", UnitDuration, `"$5" is an amount of money, but this KPI is a length of time; write it like 2m 30s.`},
		{"90", UnitDuration, `"90" has no unit: did you mean 90 seconds or 90 minutes? Write it as 90s or 90m.`},
		{"-5", UnitCount, `"-5" is below zero, but a count can't be negative.`},
		{"-2%", UnitPercent, `"-2%" is below zero, but a percentage can't be negative.`},
		{"-2m", UnitDuration, `"-2m" is below zero, but a length of time can't be negative.`},
		{"-90", UnitDuration, `"-90" is below zero, but a length of time can't be negative.`},
		{"abc", UnitCount, `"abc" is not a number I can read; write it like 310 or 12.4k.`},
		{"abc", UnitDuration, `"abc" is not a length of time I can read; write it like 2m 30s or 2:30.`},
		{"", UnitCount, `There is no value to read; write it like 310 or 12.4k.`},
		{"5", "furlongs", `This KPI has a unit I don't know ("furlongs"), so I can't read values for it.`},
		{"1.5k%", UnitPercent, `"1.5k%" has a k, M or bn, but this KPI is a percentage; write it like 3.5%.`},
		{"2k", UnitRatio, `"2k" has a k, M or bn, but this KPI is a ratio; write it like 0.8.`},
		{"$5 EUR", UnitCurrency, `"$5 EUR" names two currencies; write it with one, like $18,250.`},
		{"9999999999999999", UnitCount, `"9999999999999999" is too large for a KPI value; check the number of digits.`},
	}
	for _, tt := range tests {
		_, err := ParseValue(tt.in, tt.unit)
		if !errors.Is(err, ErrBadValue) {
			t.Errorf("ParseValue(%q, %s) error = %v, want ErrBadValue", tt.in, tt.unit, err)
			continue
		}
		if !errors.Is(err, ErrBadInput) {
			t.Errorf("ParseValue(%q, %s) error does not wrap ErrBadInput", tt.in, tt.unit)
		}
		if got := Explain(err).String(); got != tt.msg {
			t.Errorf("ParseValue(%q, %s) message:\n got %s\nwant %s", tt.in, tt.unit, got, tt.msg)
		}
	}
}

// TestParseValueRejects covers input that must fail without a particular
// wording: anything that would otherwise become a guessed number.
func TestParseValueRejects(t *testing.T) {
	tests := []struct {
		in   string
		unit UnitKind
	}{
		{"1,2,3", UnitCount}, {"1,25,000", UnitCount}, {"18 25", UnitCount}, {"1.2.3", UnitRatio},
		{"1,", UnitCount}, {",5", UnitCount}, {".", UnitCount}, {"k", UnitCount}, {"$", UnitCurrency},
		{"inf", UnitRatio}, {"NaN", UnitRatio}, {"0x10", UnitCount}, {"1e3", UnitCount}, {"1_000", UnitCount},
		{"5 apples", UnitCount}, {"5%%", UnitPercent}, {"5% USD", UnitCurrency}, {"--5", UnitRatio},
		{"12.4k.", UnitCount}, {"2:3", UnitDuration}, {"2:60", UnitDuration}, {"1:002:30", UnitDuration},
		{"2:30:", UnitDuration}, {"2m 3min", UnitDuration}, {"2m 30", UnitDuration}, {"1,5h", UnitDuration},
		{"5ms", UnitDuration}, {"12.400", UnitCurrency}, {"1.250,5", UnitRatio},
	}
	for _, tt := range tests {
		v, err := ParseValue(tt.in, tt.unit)
		if !errors.Is(err, ErrBadValue) {
			t.Errorf("ParseValue(%q, %s) = %+v, %v; want ErrBadValue", tt.in, tt.unit, v, err)
		}
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		in   Value
		want string
	}{
		{Value{Amount: 310, Unit: UnitCount}, "310"},
		{Value{Amount: 1250, Unit: UnitCount}, "1,250"},
		{Value{Amount: 1234.567, Unit: UnitCount}, "1,234.57"},
		{Value{Amount: 9999.999, Unit: UnitCount}, "10,000"},
		{Value{Amount: 12437, Unit: UnitCount}, "12.4k"},
		{Value{Amount: 12000, Unit: UnitCount}, "12k"},
		{Value{Amount: 124370, Unit: UnitCount}, "124k"},
		{Value{Amount: 999500, Unit: UnitCount}, "1M"},
		{Value{Amount: 1.25e6, Unit: UnitCount}, "1.25M"},
		{Value{Amount: 3e9, Unit: UnitCount}, "3bn"},
		{Value{Amount: 4.2e12, Unit: UnitCount}, "4,200bn"},
		{Value{Amount: 18250, Unit: UnitCurrency, Currency: "USD"}, "$18,250"},
		{Value{Amount: 18250.5, Unit: UnitCurrency, Currency: "USD"}, "$18,250.50"},
		{Value{Amount: 12.4, Unit: UnitCurrency, Currency: "EUR"}, "€12.40"},
		{Value{Amount: 900, Unit: UnitCurrency, Currency: "GBP"}, "£900"},
		{Value{Amount: 900, Unit: UnitCurrency}, "900"},
		{Value{Amount: -1200, Unit: UnitCurrency, Currency: "USD"}, "-$1,200"},
		{Value{Amount: 999999.999, Unit: UnitCurrency, Currency: "USD"}, "$1,000,000"},
		{Value{Amount: 2.5e6, Unit: UnitCurrency, Currency: "EUR"}, "€2.5M"},
		{Value{Amount: 3.5, Unit: UnitPercent}, "3.5%"},
		{Value{Amount: 3.456, Unit: UnitPercent}, "3.46%"},
		{Value{Amount: 1250, Unit: UnitPercent}, "1,250%"},
		{Value{Amount: 0.8, Unit: UnitRatio}, "0.8"},
		{Value{Amount: 2.1256, Unit: UnitRatio}, "2.126"},
		{Value{Amount: -12, Unit: UnitRatio}, "-12"},
		{Value{Amount: 150, Unit: UnitDuration}, "2m 30s"},
		{Value{Amount: 3900, Unit: UnitDuration}, "1h 5m"},
		{Value{Amount: 3605, Unit: UnitDuration}, "1h 5s"},
		{Value{Amount: 45, Unit: UnitDuration}, "45s"},
		{Value{Amount: 2.5, Unit: UnitDuration}, "2.5s"},
		{Value{Amount: 149.6, Unit: UnitDuration}, "2m 30s"},
		{Value{Amount: 0, Unit: UnitDuration}, "0s"},
		{Value{Unit: UnitCount, Missing: true}, "n/a"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.in); got != tt.want {
			t.Errorf("FormatValue(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFormatValueRoundTrip checks that everything FormatValue writes reads
// back through ParseValue, over a spread of magnitudes for each unit.
func TestFormatValueRoundTrip(t *testing.T) {
	units := []UnitKind{UnitCount, UnitCurrency, UnitPercent, UnitDuration, UnitRatio}
	for _, u := range units {
		for x := 0.001; x < maxAmount; x *= 1.37 {
			for _, amount := range []float64{x, math.Round(x)} {
				v := Value{Amount: amount, Unit: u}
				if u == UnitCurrency {
					v.Currency = "EUR"
				}
				checkRoundTrip(t, v)
			}
		}
	}
}

// checkRoundTrip formats v, parses the text back and checks it lands within
// the rounding FormatValue applies.
func checkRoundTrip(tb testing.TB, v Value) {
	tb.Helper()
	text := FormatValue(v)
	back, err := ParseValue(text, v.Unit)
	if err != nil {
		tb.Fatalf("FormatValue(%+v) = %q, which does not parse: %v", v, text, err)
	}
	if back.Missing != v.Missing || back.Currency != v.Currency || back.Unit != v.Unit {
		tb.Fatalf("FormatValue(%+v) = %q parses back as %+v", v, text, back)
	}
	if d := math.Abs(back.Amount - v.Amount); d > formatTolerance(v) {
		tb.Fatalf("FormatValue(%+v) = %q parses back as %v, off by %v", v, text, back.Amount, d)
	}
}

// formatTolerance is the largest rounding error FormatValue may introduce.
func formatTolerance(v Value) float64 {
	a := math.Abs(v.Amount)
	rel := 1e-9 * a // float noise
	switch v.Unit {
	case UnitCount:
		if a >= 1e4 {
			return 0.005*a + rel
		}
		return 0.005 + rel
	case UnitCurrency:
		if a >= 1e6 {
			return 0.005*a + rel
		}
		return 0.005 + rel
	case UnitPercent:
		return 0.005 + rel
	case UnitDuration:
		return 0.5 + rel
	default:
		return 0.0005 + rel
	}
}
