package flows

import (
	"slices"
	"testing"
)

// readsTodaySlowly is what ReadsToday promises, said plainly: a word of
// the text, as the dates are read (timeWords), is a date word.
func readsTodaySlowly(text string) bool {
	return slices.ContainsFunc(timeWords(text), func(w string) bool {
		return dateWords[w] || relativeWords[w] || monthNames[w] != 0
	})
}

// FuzzReadsToday checks that ReadsToday, which reads without allocating,
// finds the date words the dates are read from: none missed (the writer's
// "tomorrow" read in another zone), none made up.
func FuzzReadsToday(f *testing.F) {
	for _, s := range []string{
		"Ship by FRİDAY", "due WEE\u212a", "Q1", "eod", "EOD!", "<@U123|mon>", "day’s", "don't", "mon2", "2mon",
		"supercalifragilistic friday", "yesterdayyyy", "Wednesday.", "Ümon", "monÜ", "mon\u0301", "tomorrow\xff",
		"\xffmon", "ﬁnal", "MAY", "Sept", "ｍｏｎ", "mon\u200b", "ΣΑΒΒΑΤΟ", "tues", "THURS", "in 2 weeks", "",
	} {
		f.Add(s)
	}
	// Every rune of the first planes beside a date word, where its case
	// mapping or its being a letter decides what the word is.
	for r := rune(0); r < 0x3000; r++ {
		for _, s := range []string{string(r) + "mon", "fr" + string(r) + "day", "eod" + string(r)} {
			if got, want := ReadsToday(s), readsTodaySlowly(s); got != want {
				f.Errorf("ReadsToday(%q) = %t, want %t", s, got, want)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ReadsToday(s), readsTodaySlowly(s); got != want {
			t.Errorf("ReadsToday(%q) = %t, want %t", s, got, want)
		}
	})
}
