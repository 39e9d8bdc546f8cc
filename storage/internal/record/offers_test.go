package record

import (
	"testing"

	"github.com/racebot/racebot/flows"
)

// TestOfferWithdrawnMark: a withdrawn offer's mark is its version, read
// back as withdrawn; a mark left under a later offer that a racebot from
// before the column wrote over the row (a later version) is not.
func TestOfferWithdrawnMark(t *testing.T) {
	o := flows.Offer{Version: 4, Withdrawn: true}
	if m := OfferWithdrawn(o); m != 4 || !IsOfferWithdrawn(m, 4) {
		t.Errorf("withdrawn offer at version 4: mark %d", m)
	}
	if IsOfferWithdrawn(4, 6) {
		t.Error("a mark of version 4 withdraws the offer at version 6 written over it")
	}
	if m := OfferWithdrawn(flows.Offer{Version: 4}); m != 0 || IsOfferWithdrawn(m, 0) {
		t.Errorf("a standing offer: mark %d", m)
	}
}
