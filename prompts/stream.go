package prompts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// errNoStream reports that the server cannot stream this request, so Stream
// asks again without streaming.
var errNoStream = errors.New("streaming not supported")

func (c *Client) streamOnce(ctx context.Context, oc *openai.Client, rec *recorder, m Messages, onDelta func(string)) (Result, error) {
	req := c.request(m)
	req.Stream = true
	// Usage arrives in a last chunk only when asked for. A server that
	// rejects the option answers 400 and gets the plain request instead.
	req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	stream, err := oc.CreateChatCompletionStream(ctx, req)
	if err != nil {
		if streamUnsupported(err) {
			return Result{}, fmt.Errorf("%w: %w", errNoStream, err)
		}
		return Result{}, err
	}
	defer stream.Close()
	// Some servers ignore "stream": true and send one JSON body, which the
	// SSE reader would silently take for an empty stream.
	if mt, _, _ := mime.ParseMediaType(rec.contentType); mt == "application/json" {
		return Result{}, fmt.Errorf("%w: server answered %s", errNoStream, mt)
	}

	var (
		text    strings.Builder
		usage   openai.Usage
		refused openai.FinishReason
		shown   string
		// finished is set by the chunk that ends the answer. A stream
		// whose connection was closed early ends as a whole one does
		// when the response is delimited by the connection (no chunked
		// encoding, as behind some proxies): only the missing finish
		// reason tells that the text stops mid-sentence.
		finished bool
	)
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if decodeError(err) || contentFiltered(err) {
				return Result{}, err
			}
			return Result{}, fmt.Errorf("%w: stream broke: %w", ErrUnavailable, err)
		}
		if chunk.Usage != nil {
			usage = *chunk.Usage
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if ch.FinishReason == openai.FinishReasonContentFilter || ch.Delta.Refusal != "" {
				refused = openai.FinishReasonContentFilter
			}
			if ch.FinishReason != "" && ch.FinishReason != openai.FinishReasonNull {
				finished = true
			}
			text.WriteString(ch.Delta.Content)
		}
		if soFar := strings.TrimSpace(stripThink(text.String())); soFar != shown {
			shown = soFar
			onDelta(soFar)
		}
	}
	if refused != "" {
		return Result{}, fmt.Errorf("%w: finish reason %q", ErrRefused, refused)
	}
	if !finished && shown != "" {
		return Result{}, fmt.Errorf("%w: stream ended before the model finished", ErrUnavailable)
	}
	return result(text.String(), usage)
}

// streamUnsupported tells a server that cannot stream (or cannot take the
// streaming options) from one that failed for another reason.
func streamUnsupported(err error) bool {
	if contentFiltered(err) {
		return false
	}
	switch statusOf(err) {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed,
		http.StatusNotAcceptable, http.StatusUnsupportedMediaType,
		http.StatusUnprocessableEntity, http.StatusNotImplemented:
		return true
	}
	return false
}

// statusOf is the HTTP status go-openai attached to err, or 0.
func statusOf(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// contentFiltered recognises OpenAI's and Azure's content-filter errors.
func contentFiltered(err error) bool {
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	if code, ok := apiErr.Code.(string); ok && code == "content_filter" {
		return true
	}
	return apiErr.InnerError != nil && apiErr.InnerError.Code == "ResponsibleAIPolicyViolation"
}

// decodeError reports whether err comes from parsing the server's JSON.
func decodeError(err error) bool {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	return errors.As(err, &syntaxErr) || errors.As(err, &typeErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, openai.ErrTooManyEmptyStreamMessages)
}
