package flows

import "errors"

// Sentinels for the cases callers branch on. User-facing wording lives in
// UserError, never in these.
var (
	ErrNoPlan        = errors.New("no such plan")
	ErrDuplicatePlan = errors.New("duplicate plan name")
	ErrConflict      = errors.New("plan changed concurrently")
	ErrDuplicate     = errors.New("input already recorded")
	ErrBadInput      = errors.New("bad input")
	ErrNoCheckin     = errors.New("no such check-in")
)

// UserError is bad input explained in one friendly sentence. It unwraps to
// a sentinel so callers can still branch with errors.Is.
type UserError struct {
	Err error
	Msg Msg
}

func (e *UserError) Error() string { return e.Msg.String() }
func (e *UserError) Unwrap() error { return e.Err }

// UserErrorf is a *UserError with its sentence made by Sayf.
func UserErrorf(sentinel error, format string, args ...any) *UserError {
	return &UserError{Err: sentinel, Msg: Sayf(format, args...)}
}

func userErr(sentinel error, format string, args ...any) error {
	return UserErrorf(sentinel, format, args...)
}

// Explain turns an error into the words a user sees. Bad input keeps its own
// sentence; anything else is our fault, so the user learns that nothing they
// typed was changed rather than a stack of internals.
func Explain(err error) Msg {
	if ue, ok := errors.AsType[*UserError](err); ok {
		return ue.Msg
	}
	return Say(Text("Sorry, something went wrong on our side and nothing was changed. Please try again in a moment."))
}
