package coach

import "testing"

func TestMessageOrder(t *testing.T) {
	tests := []struct {
		ts   string
		want int64
		ok   bool
	}{
		{"1700000000.000100", 1700000000000100, true},
		{"999999999.999999", 999999999999999, true},
		{"1700000000.1", 1700000000100000, true},
		{"1700000000", 0, false},
		{"1700000000.", 0, false},
		{".000100", 0, false},
		{"1700000000.0000001", 0, false},
		{"-1.000001", 0, false},
		{"+1.000001", 0, false},
		{"1e9.000001", 0, false},
		{"99999999999999999999.000001", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := messageOrder(tt.ts)
		if got != tt.want || ok != tt.ok {
			t.Errorf("messageOrder(%q) = %d, %t; want %d, %t", tt.ts, got, ok, tt.want, tt.ok)
		}
	}
	a, _ := messageOrder("999999999.999999")
	b, _ := messageOrder("1000000000.000000")
	if a >= b {
		t.Error("a ts one digit shorter sorts after a longer one")
	}
}
