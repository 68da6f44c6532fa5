package mapping

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Dir is a directory of mapping files that operations edit (the integration
// design's Metadata Mapping), with the [Loader] that keeps them in force: an edit is
// saved only when it compiles, the mapping in force changes with it, and every saved
// change is recorded (who, when, the diff). It is safe for concurrent use.
type Dir struct {
	path   string
	reg    *Registry
	loader *Loader
	now    func() time.Time

	mu      sync.Mutex
	changes map[string][]Change // by file, newest first
}

// Change is one saved edit of a mapping file.
type Change struct {
	File string
	By   string
	At   time.Time
	// Diff is the edit as changed lines: "-" removed, "+" added.
	Diff string
}

// LineProblem is a problem of an edit, with the line of the file it is on (0 when
// unknown).
type LineProblem struct {
	Line    int
	Problem string
}

// OpenDir opens the mapping files of dir, first copying there every file of seed
// (the defaults) that dir does not have, and loads them. now stamps the changes
// (time.Now when nil).
func OpenDir(dir string, reg *Registry, seed fs.FS, now func() time.Time) (*Dir, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if seed != nil {
		err := fs.WalkDir(seed, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isMappingFile(p) {
				return err
			}
			dst := filepath.Join(dir, filepath.FromSlash(p))
			if _, err := os.Stat(dst); err == nil {
				return nil // edited here before: kept
			}
			b, err := fs.ReadFile(seed, p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			return nil, err
		}
	}
	d := &Dir{path: dir, reg: reg, loader: NewLoader(os.DirFS(dir), reg), now: now, changes: map[string][]Change{}}
	return d, d.loader.Load()
}

func isMappingFile(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Loader is the loader that keeps the directory's mappings in force.
func (d *Dir) Loader() *Loader { return d.loader }

// Files lists the mapping files, as slash-separated paths in the directory.
func (d *Dir) Files() ([]string, error) {
	var out []string
	err := fs.WalkDir(os.DirFS(d.path), ".", func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && isMappingFile(p) {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

// errBadFile refuses a file name that is not one of the directory's mapping files.
var errBadFile = errors.New("mapping: not a mapping file of the directory")

// Read returns a mapping file's text.
func (d *Dir) Read(file string) ([]byte, error) {
	if !fs.ValidPath(file) || !isMappingFile(file) {
		return nil, errBadFile
	}
	return os.ReadFile(filepath.Join(d.path, filepath.FromSlash(file)))
}

// Check compiles text as it would be saved and returns the mapping, or every
// problem with its line.
func (d *Dir) Check(text []byte) (*Mapping, []LineProblem) {
	spec, err := ParseSpec(text)
	if err != nil {
		return nil, []LineProblem{{Line: yamlLine(err.Error()), Problem: err.Error()}}
	}
	m, err := Compile(spec, d.reg)
	var se *SpecError
	switch {
	case errors.As(err, &se):
		lines := fieldLines(text)
		out := make([]LineProblem, 0, len(se.Problems))
		for _, p := range se.Problems {
			out = append(out, LineProblem{Line: lineOf(p, lines), Problem: p})
		}
		return nil, out
	case err != nil:
		return nil, []LineProblem{{Problem: err.Error()}}
	}
	return m, nil
}

// Save writes text to file when it compiles, reloads the mappings so that it is in
// force, and records the change as by's; otherwise it changes nothing and returns
// every problem. The last good version of the file stays in force until then.
func (d *Dir) Save(file string, text []byte, by string) ([]LineProblem, error) {
	if !fs.ValidPath(file) || !isMappingFile(file) {
		return nil, errBadFile
	}
	if _, problems := d.Check(text); len(problems) > 0 {
		return problems, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	old, _ := d.Read(file)
	dst := filepath.Join(d.path, filepath.FromSlash(file))
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, text, 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dst); err != nil { // atomic: the loader never reads half a file
		return nil, err
	}
	if err := d.loader.Load(); err != nil {
		return nil, err
	}
	d.changes[file] = slices.Insert(d.changes[file], 0, Change{File: file, By: by, At: d.now(), Diff: lineDiff(string(old), string(text))})
	return nil, nil
}

// Changes returns the saved changes of file, newest first.
func (d *Dir) Changes(file string) []Change {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.changes[file])
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlLine is the line a YAML parse error names, 0 when it names none.
func yamlLine(msg string) int {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

var fieldRE = regexp.MustCompile(`^field (\d+) `)

// lineOf is the line of the field a Compile problem names ("field 3 (email): …"),
// or 0 for a problem of the whole mapping.
func lineOf(problem string, lines []int) int {
	m := fieldRE.FindStringSubmatch(problem)
	if m == nil {
		return 0
	}
	i, _ := strconv.Atoi(m[1])
	if i < 1 || i > len(lines) {
		return 0
	}
	return lines[i-1]
}

// fieldLines are the lines of the entries of a YAML mapping file's fields list
// (JSON parses as YAML too, with its lines).
func fieldLines(text []byte) []int {
	var doc yaml.Node
	if yaml.Unmarshal(text, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "fields" {
			var out []int
			for _, f := range root.Content[i+1].Content {
				out = append(out, f.Line)
			}
			return out
		}
	}
	return nil
}

// lineDiff lists the lines of b not in a ("+") and of a not in b ("-"), in order,
// from their longest common subsequence (mapping files are small).
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&out, "+%d: %s\n", j+1, y[j])
			j++
		default:
			fmt.Fprintf(&out, "-%d: %s\n", i+1, x[i])
			i++
		}
	}
	return out.String()
}
