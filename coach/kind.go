package coach

import (
	"context"
	"strings"

	"github.com/racebot/racebot/flows"
)

// kind shows the plan's kind of business, or changes it: examples, hints,
// offline drafts and KPI suggestions follow the kind.
func (s *Service) kind(ctx context.Context, req Request, arg string) (Response, error) {
	if strings.TrimSpace(arg) == "" {
		p, err := s.pick(ctx, req, "")
		if err != nil {
			return Response{}, err
		}
		return s.said(ctx, req, Response{Plan: p, Replies: []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.KindText(p)}}})
	}
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		return flows.SetKind(s.cat, p, arg)
	})
}
