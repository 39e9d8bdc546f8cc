// Package fulldisk gives tests a real, small file system they can fill to
// the last byte: a tmpfs mounted on a temporary directory. Mounting needs
// root (CI runs as root); elsewhere the test is skipped, saying why.
package fulldisk

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Mount mounts a tmpfs of size bytes on a fresh temporary directory and
// returns the directory. It is unmounted when the test ends: register
// whatever keeps files open there (a database) after calling Mount, so it
// is closed first.
func Mount(t testing.TB, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("fulldisk: mounting a small tmpfs needs root; run as root (as CI does) to fill a real disk")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("fulldisk: cannot mount a tmpfs on %s (%v: %s); the container may lack CAP_SYS_ADMIN", dir, err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		out, err := exec.Command("umount", dir).CombinedOutput()
		if err == nil {
			return
		}
		// Something still holds a file there; detach the mount anyway so
		// the temporary directory can be removed, and say so.
		t.Errorf("fulldisk: umount %s: %v: %s", dir, err, strings.TrimSpace(string(out)))
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("fulldisk: umount -l %s: %v: %s", dir, err, strings.TrimSpace(string(out)))
		}
	})
	return dir
}

// Fill writes a filler file in dir until the file system has no room left
// for a single byte, and returns the function that deletes it, giving the
// room back. Deleting twice is harmless; the filler is also deleted when
// the test ends.
func Fill(t testing.TB, dir string) (free func()) {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatalf("fulldisk: %v", err)
	}
	// Big writes first, then single pages, then single bytes, so the last
	// partly used page is used up too.
	for _, size := range []int{256 << 10, 4 << 10, 1} {
		chunk := make([]byte, size)
		for {
			_, err := f.Write(chunk)
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				f.Close()
				t.Fatalf("fulldisk: fill %s: %v", dir, err)
			}
		}
	}
	if err := f.Close(); err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("fulldisk: close filler: %v", err)
	}
	// A new file's first byte needs a page of its own: the disk is full
	// only if even that is refused.
	probe := filepath.Join(dir, "filler-check")
	err = os.WriteFile(probe, []byte{0}, 0o600)
	os.Remove(probe)
	if err == nil {
		t.Fatalf("fulldisk: %s still takes writes after filling it", dir)
	}
	removed := false
	free = func() {
		if removed {
			return
		}
		removed = true
		if err := os.Remove(path); err != nil {
			t.Errorf("fulldisk: remove filler: %v", err)
		}
	}
	t.Cleanup(free)
	return free
}
