package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

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
// not reported as a failure that invites the person to share it again.
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
	if c.fileShared(ctx, id, f.Channel) {
		b.log.Info("upload: the answer was lost but the file is shared", "file", id, "err", err)
		return nil
	}
	return fmt.Errorf("files.completeUploadExternal: %w", err)
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

// shareLooks bounds how often files.info is asked whether a file is
// shared.
const shareLooks = 3

// fileShared reports whether Slack says the file is shared in channel.
// Slack shares a completed file asynchronously (it scans it first), so a
// share not listed yet is looked for again, uploadBackoff apart. When
// Slack cannot say (files.info fails, the file does not exist), the file
// counts as not shared.
func (c *Client) fileShared(ctx context.Context, id, channel string) bool {
	for look := 1; ; look++ {
		info, _, _, err := c.api.GetFileInfoContext(ctx, id, 0, 0)
		if err != nil {
			return false
		}
		if slices.Contains(info.Channels, channel) || slices.Contains(info.Groups, channel) || slices.Contains(info.IMs, channel) ||
			len(info.Shares.Public[channel]) > 0 || len(info.Shares.Private[channel]) > 0 {
			return true
		}
		if look == shareLooks || !c.chat.sleep(ctx, uploadBackoff) {
			return false
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
