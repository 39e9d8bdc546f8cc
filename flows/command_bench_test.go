package flows

import "testing"

// BenchmarkParseCommand measures reading the text after `/race`.
func BenchmarkParseCommand(b *testing.B) {
	for _, text := range []string{"new Q1 Launch", "edit reach 2", "delete Q1 Launch --yes", "/race status"} {
		b.Run(text, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseCommand(text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
