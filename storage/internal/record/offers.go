package record

import "github.com/racebot/racebot/flows"

// OfferWithdrawn is the withdrawn_version column of offer o: its version
// when its author's edit withdrew it, 0 when it stands. An offer is
// withdrawn only with the answer it was made with, whose commit moved the
// plan past version 0.
func OfferWithdrawn(o flows.Offer) int64 {
	if !o.Withdrawn {
		return 0
	}
	return o.Version
}

// IsOfferWithdrawn reads the withdrawn_version column (mark) of an offer
// at version. A mark that names another version was left under an offer
// a racebot from before the column wrote over the row, which stands.
func IsOfferWithdrawn(mark, version int64) bool {
	return mark != 0 && mark == version
}
