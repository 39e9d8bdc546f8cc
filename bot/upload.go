package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack"
)

// uploadTries bounds how often a file's content is sent to Slack.
const uploadTries = 3

// uploadBackoff is the wait before sending a file's content again when
// Slack did not say how long to wait.
const uploadBackoff = time.Second

// uploadFile shares a file (f.Content) in f.Channel, in the thread
// f.ThreadTimestamp if set, through Slack's three steps:
// files.getUploadURLExternal, a POST of the content to the URL it hands
// out, and files.completeUploadExternal, which shares the file.
//
// slack-go streams the content and so never retries that POST; nothing
// is shared before the last step, so a POST that failed is sent again,
// to a fresh URL (the old one may have expired), after Slack's
// Retry-After or a short backoff; one Slack refused (a revoked token, a
// file too large) is not.
//
// The last step is not retried after a 5xx or a lost connection (see
// creating): Slack may have shared the file before its answer was lost.
// files.info then says whether it did, so that a file in the channel is
// not reported as a failure that invites the person to share it again;
// when it cannot say, the error is errMaybeShared.
func (b *Bot) uploadFile(ctx context.Context, f slack.UploadFileParameters) error {
	c := b.ws.client(ctx)
	var (
		id  string
		err error
	)
	for try := 1; ; try++ {
		id, err = c.sendFile(ctx, f)
		if err == nil {
			break
		}
		if try == uploadTries || refused(err) || ctx.Err() != nil || !c.chat.sleep(ctx, uploadWait(err)) {
			return err
		}
	}
	_, err = c.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files:           []slack.FileSummary{{ID: id, Title: f.Title}},
		Channel:         f.Channel,
		ThreadTimestamp: f.ThreadTimestamp,
		InitialComment:  f.InitialComment,
	})
	if err == nil || certainlyNotPosted(err) || refused(err) {
		return wrapErr("files.completeUploadExternal", err)
	}
	shared, sure := c.fileShared(ctx, id, f.Channel)
	switch {
	case shared:
		b.log.Info("upload: the answer was lost but the file is shared", "file", id, "err", err)
		return nil
	case sure:
		return fmt.Errorf("files.completeUploadExternal: %w", err)
	}
	return fmt.Errorf("files.completeUploadExternal: %w: %w", errMaybeShared, err)
}

// errMaybeShared is an upload whose last step's answer was lost and whose
// share files.info did not list while it was looked for: the file may be
// in the channel all the same, so asking for it again may share it twice.
var errMaybeShared = errors.New("the file may have been shared")

// notInChannel reports Slack's refusal to share a file in a channel
// racebot is not in; a private one it is not in does not exist for it.
func notInChannel(err error) bool {
	return slackRefusal(err, "not_in_channel", "channel_not_found")
}

// slackRefusal reports whether Slack answered err with one of codes.
func slackRefusal(err error, codes ...string) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && slices.Contains(codes, se.Err)
}

// uploadFailure says to someone who asked for what ("the chart") to be
// shared in channel why it did not come and what to do; again is how they
// ask once more ("ask again"), where is where the file would be ("the
// plan's thread").
func uploadFailure(err error, channel, what, where, again string) flows.Msg {
	switch {
	case notInChannel(err):
		return flows.Sayf("I'm not in %s, so I can't share %s here: invite me with %s and %s.",
			flows.User("<#"+channel+">"), flows.Text(what), flows.Code("/invite @racebot"), flows.Text(again))
	case errors.Is(err, errMaybeShared):
		return flows.Sayf("Slack did not confirm %s, which may have been shared all the same: please look in %s before you %s.",
			flows.Text(what), flows.Text(where), flows.Text(again))
	}
	return flows.Sayf("Sorry, %s could not be uploaded. Please %s in a moment.", flows.Text(what), flows.Text(again))
}

// sendFile asks Slack for an upload URL and sends f's content to it,
// returning the new file's id.
func (c *Client) sendFile(ctx context.Context, f slack.UploadFileParameters) (string, error) {
	u, err := c.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{
		FileName: f.Filename,
		FileSize: len(f.Content),
		AltTxt:   f.AltTxt,
	})
	if err != nil {
		return "", fmt.Errorf("files.getUploadURLExternal: %w", err)
	}
	err = c.api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: u.UploadURL, Content: f.Content, Filename: f.Filename})
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", f.Filename, err)
	}
	return u.FileID, nil
}

// shareLookWaits are the waits between the files.info calls that look
// for a file's share. Slack shares a completed file asynchronously (it
// scans it first), and a busy Slack lists the share many seconds later;
// the upload runs after the ack, so it can afford to look for half a
// minute rather than report a failure it does not know of, which invites
// the person to share the file a second time.
var shareLookWaits = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second}

// fileShared reports whether Slack says the file is shared in channel,
// looking again after each of shareLookWaits while it is not listed, and
// whether that is sure: a file Slack does not know (file_not_found) was
// never completed, but one it has not listed by the last look, or that
// it cannot describe (files.info fails, or racebot is stopping), may yet
// be shared.
func (c *Client) fileShared(ctx context.Context, id, channel string) (shared, sure bool) {
	for look := 0; ; look++ {
		info, _, _, err := c.api.GetFileInfoContext(ctx, id, 0, 0)
		if err != nil {
			return false, refused(err)
		}
		if slices.Contains(info.Channels, channel) || slices.Contains(info.Groups, channel) || slices.Contains(info.IMs, channel) ||
			len(info.Shares.Public[channel]) > 0 || len(info.Shares.Private[channel]) > 0 {
			return true, true
		}
		if look == len(shareLookWaits) || !c.chat.sleep(ctx, shareLookWaits[look]) {
			return false, false
		}
	}
}

// uploadWait is how long to wait before sending a file's content again.
func uploadWait(err error) time.Duration {
	var limited *slack.RateLimitedError
	if errors.As(err, &limited) {
		return limited.RetryAfter
	}
	return uploadBackoff
}

func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
