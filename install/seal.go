package install

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadKey means RACEBOT_TOKEN_KEY is not 32 bytes in base64 or hex.
var ErrBadKey = errors.New("the token key must be 32 bytes, written in base64 or hex")

// ErrUnsealable means a stored token was sealed with another key, or was
// altered.
var ErrUnsealable = errors.New("stored token cannot be opened with this key")

// ParseKey reads a 32-byte AES-256 key written in hex or base64 (standard
// or URL alphabet, padded or not).
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, ErrBadKey
}

// sealedPrefix marks a sealed token. A token without it was stored before
// a key was configured and is read as it is, so turning encryption on
// needs no migration: each pair is sealed when it is next stored.
const sealedPrefix = "sealed:v1:"

// Sealed wraps a Store so that tokens are encrypted at rest with AES-GCM
// under key: the store only ever sees ciphertext, bound to the
// installation it belongs to, so a token copied to another row does not
// open.
func Sealed(s Store, key []byte) (Store, error) {
	block, err := aes.NewCipher(key)
	if err != nil || len(key) != 32 {
		return nil, ErrBadKey
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	return sealed{Store: s, aead: aead}, nil
}

type sealed struct {
	Store
	aead cipher.AEAD
}

func additional(k Key) []byte {
	return fmt.Appendf(nil, "%s/%s/%t", k.EnterpriseID, k.TeamID, k.EnterpriseInstall)
}

func (s sealed) seal(k Key, token string) string {
	if token == "" {
		return ""
	}
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := s.aead.Seal(nonce, nonce, []byte(token), additional(k))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out)
}

func (s sealed) open(k Key, stored string) (string, error) {
	body, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", ErrUnsealable
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], additional(k))
	if err != nil {
		return "", ErrUnsealable
	}
	return string(plain), nil
}

func (s sealed) opened(in Installation) (Installation, error) {
	var err, err2 error
	in.BotToken, err = s.open(in.Key(), in.BotToken)
	in.RefreshToken, err2 = s.open(in.Key(), in.RefreshToken)
	if err = errors.Join(err, err2); err != nil {
		return Installation{}, fmt.Errorf("installation of %s: %w", in.TeamID+in.EnterpriseID, err)
	}
	return in, nil
}

func (s sealed) SaveInstallation(ctx context.Context, in Installation) error {
	in.BotToken = s.seal(in.Key(), in.BotToken)
	in.RefreshToken = s.seal(in.Key(), in.RefreshToken)
	return s.Store.SaveInstallation(ctx, in)
}

func (s sealed) FindInstallation(ctx context.Context, enterprise, team string) (Installation, error) {
	in, err := s.Store.FindInstallation(ctx, enterprise, team)
	if err != nil {
		return in, err
	}
	return s.opened(in)
}

func (s sealed) Installation(ctx context.Context, k Key) (Installation, error) {
	in, err := s.Store.Installation(ctx, k)
	if err != nil {
		return in, err
	}
	return s.opened(in)
}

func (s sealed) UninstalledBefore(ctx context.Context, t time.Time) ([]Installation, error) {
	ins, err := s.Store.UninstalledBefore(ctx, t)
	for i := range ins {
		// Purging needs the keys, not the tokens: a row sealed with an
		// older key is still purged.
		if o, oerr := s.opened(ins[i]); oerr == nil {
			ins[i] = o
		} else {
			ins[i].BotToken, ins[i].RefreshToken = "", ""
		}
	}
	return ins, err
}

// LeftOut is an installation a listing left out because its tokens do
// not open with this key (ErrUnsealable): it names the installation, so
// that a caller asked again every minute can say so once.
type LeftOut struct {
	Key         Key
	InstalledAt time.Time
	Err         error
}

func (e *LeftOut) Error() string { return e.Err.Error() }
func (e *LeftOut) Unwrap() error { return e.Err }

// UninstallChecksDue leaves out an installation whose tokens do not open
// with this key, and says so with a LeftOut: its check would ask Slack
// with no token, which Slack refuses as it refuses a removed
// installation's. The check is left as it is, due, for a racebot whose
// key opens the tokens.
func (s sealed) UninstallChecksDue(ctx context.Context, t time.Time) ([]Installation, error) {
	ins, err := s.Store.UninstallChecksDue(ctx, t)
	errs := []error{err}
	out := ins[:0]
	for _, in := range ins {
		o, oerr := s.opened(in)
		if oerr != nil {
			errs = append(errs, &LeftOut{Key: in.Key(), InstalledAt: in.InstalledAt, Err: oerr})
			continue
		}
		out = append(out, o)
	}
	// Joined at once, so that each is one of the errors Unwrap gives.
	return out, errors.Join(errs...)
}

// RotateTokens compares against the stored ciphertext: a fresh seal of
// oldRefresh would never equal it, because every seal has a nonce of its
// own.
func (s sealed) RotateTokens(ctx context.Context, k Key, oldRefresh, token, refresh string, expires time.Time) error {
	raw, err := s.Store.Installation(ctx, k)
	if err != nil {
		return err
	}
	current, err := s.open(k, raw.RefreshToken)
	if err != nil {
		return err
	}
	if current != oldRefresh {
		return ErrRotated
	}
	return s.Store.RotateTokens(ctx, k, raw.RefreshToken, s.seal(k, token), s.seal(k, refresh), expires)
}
