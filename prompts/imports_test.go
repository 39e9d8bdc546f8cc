package prompts

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsNoProjectPackage keeps prompts a leaf: the lead converts flows
// types into the data structs here, so prompts never imports flows, bot or
// storage, and cannot form a cycle with them.
func TestImportsNoProjectPackage(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/racebot/racebot/") {
				t.Errorf("%s imports %s; prompts must not depend on other project packages", name, path)
			}
		}
	}
}
