package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Upload is a file the app shared through slack-go's UploadFile flow
// (files.getUploadURLExternal, a POST to the upload URL, then
// files.completeUploadExternal).
type Upload struct {
	FileID         string
	Channel        string // "" if the file was not shared anywhere
	ThreadTS       string
	Filename       string
	Title          string
	InitialComment string
	Content        []byte
	// TS is the timestamp of the message that shared the file, "" if it
	// was not shared.
	TS string
}

// pendingFile is a file between files.getUploadURLExternal and
// files.completeUploadExternal.
type pendingFile struct {
	id       string
	filename string
	content  []byte
	uploaded bool
	done     bool
}

// Uploads returns every completed upload in completion order.
func (f *Fake) Uploads() []Upload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.uploads)
}

func (f *Fake) filesGetUploadURLExternal(r *apiRequest) (map[string]any, error) {
	filename := r.get("filename")
	length, err := strconv.Atoi(r.get("length"))
	if filename == "" || err != nil || length <= 0 {
		return nil, apiError("invalid_arguments")
	}
	id := f.nextIDLocked("F")
	f.files[id] = &pendingFile{id: id, filename: filename}
	// The URL is on the API's own host: slack-go only sends its token to
	// https Slack hosts or the host given with OptionAPIURL.
	return map[string]any{"upload_url": f.srv.URL + "/upload/" + id, "file_id": id}, nil
}

// serveUpload takes the file content. slack-go posts it as multipart form
// field "file"; a raw body is accepted too, as Slack does.
func (f *Fake) serveUpload(w http.ResponseWriter, r *http.Request) {
	call := Call{Method: MethodUpload, At: time.Now(), Params: map[string][]string{"file_id": {r.PathValue("file")}}}
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		call.Token = auth
	}
	content, err := readUpload(r)
	f.answer(w, r, call, func(c *Call) reply {
		pf, ok := f.files[c.Params.Get("file_id")]
		switch {
		case r.Method != http.MethodPost:
			return reply{status: http.StatusMethodNotAllowed}
		case !ok:
			return reply{status: http.StatusNotFound, slackError: "unknown upload URL"}
		case err != nil:
			return reply{status: http.StatusBadRequest, slackError: err.Error()}
		}
		pf.content, pf.uploaded = content, true
		c.Params.Set("bytes", strconv.Itoa(len(content)))
		return reply{status: http.StatusOK, contentType: "text/plain; charset=utf-8", body: fmt.Appendf(nil, "OK - %d", len(content))}
	})
}

func readUpload(r *http.Request) ([]byte, error) {
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "multipart/form-data" {
		return io.ReadAll(io.LimitReader(r.Body, maxBody))
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, fmt.Errorf("multipart body has no file part")
		}
		if err != nil {
			return nil, fmt.Errorf("read multipart: %w", err)
		}
		if part.FormName() == "file" || part.FileName() != "" {
			b, err := io.ReadAll(io.LimitReader(part, maxBody))
			if err != nil {
				return nil, fmt.Errorf("read file part: %w", err)
			}
			return b, nil
		}
	}
}

func (f *Fake) filesCompleteUploadExternal(r *apiRequest) (map[string]any, error) {
	var summaries []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(r.raw("files"), &summaries); err != nil || len(summaries) == 0 {
		return nil, apiError("invalid_arguments")
	}
	channel := r.get("channel_id")
	if channel == "" {
		channel, _, _ = strings.Cut(r.get("channels"), ",")
	}
	if channel != "" {
		ch, err := f.channelLocked(channel)
		if err != nil {
			return nil, err
		}
		// Sharing a file needs the app in the channel, as posting does.
		if ch.NotMember {
			return nil, apiError("not_in_channel")
		}
		channel = ch.ID
	}
	// Check every file before sharing any, so a failure shares nothing.
	for _, s := range summaries {
		pf, ok := f.files[s.ID]
		if !ok || pf.done {
			return nil, apiError("file_not_found")
		}
		if !pf.uploaded {
			return nil, apiError("file_upload_incomplete")
		}
	}
	files := make([]map[string]any, 0, len(summaries))
	for _, s := range summaries {
		pf := f.files[s.ID]
		pf.done = true
		title := s.Title
		if title == "" {
			title = pf.filename
		}
		var ts string
		if channel != "" {
			ts = f.nextTSLocked()
		}
		f.uploads = append(f.uploads, Upload{
			FileID:         pf.id,
			TS:             ts,
			Channel:        channel,
			ThreadTS:       r.get("thread_ts"),
			Filename:       pf.filename,
			Title:          title,
			InitialComment: r.get("initial_comment"),
			Content:        pf.content,
		})
		files = append(files, map[string]any{"id": pf.id, "title": title})
	}
	return map[string]any{"files": files}, nil
}

// ShareLag makes files.info show each completed file as shared nowhere
// for its first n calls. Slack shares a file asynchronously after
// files.completeUploadExternal answers (it scans it first), so a
// files.info soon after may not list the share yet.
func (f *Fake) ShareLag(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shareLag = n
}

// filesInfo describes a completed file, with where it was shared as Slack
// gives it: the channel in channels (groups for a private one) and the
// share's message under shares. A file that was never completed is not
// found, as in Slack, where it does not exist until then.
func (f *Fake) filesInfo(r *apiRequest) (map[string]any, error) {
	id := r.get("file")
	i := slices.IndexFunc(f.uploads, func(u Upload) bool { return u.FileID == id })
	if i < 0 {
		return nil, apiError("file_not_found")
	}
	u := f.uploads[i]
	if f.lagLeft == nil {
		f.lagLeft = map[string]int{}
	}
	left, seen := f.lagLeft[id]
	if !seen {
		left = f.shareLag
	}
	if left > 0 {
		f.lagLeft[id] = left - 1
		u.Channel = ""
	} else {
		f.lagLeft[id] = 0
	}
	file := map[string]any{
		"id": u.FileID, "name": u.Filename, "title": u.Title, "size": len(u.Content),
		"channels": []string{}, "groups": []string{}, "ims": []string{}, "shares": map[string]any{},
	}
	if u.Channel != "" {
		share := map[string]any{"ts": u.TS}
		if u.ThreadTS != "" {
			share["thread_ts"] = u.ThreadTS
		}
		list, kind := "channels", "public"
		if ch, err := f.channelLocked(u.Channel); err == nil && ch.IsPrivate {
			list, kind = "groups", "private"
		}
		file[list] = []string{u.Channel}
		file["shares"] = map[string]any{kind: map[string]any{u.Channel: []any{share}}}
	}
	return map[string]any{"file": file, "comments": []any{}, "paging": map[string]any{"count": 100, "total": 1, "page": 1, "pages": 1}}, nil
}
