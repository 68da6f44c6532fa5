package mapping

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

// Loader loads the mapping files of an fs.FS (*.yaml, *.yml, *.json, recursively)
// and keeps them in force: [Loader.Load] again (on demand, or when the files change)
// replaces each mapping that compiles, and keeps the last good version of one that
// does not. It is safe for concurrent use.
type Loader struct {
	fsys fs.FS
	reg  *Registry

	mu     sync.RWMutex
	byName map[string]*Mapping
	byFile map[string]string // file → name of the mapping it last gave
}

// NewLoader returns a loader over fsys compiling against reg. Nothing is loaded
// until [Loader.Load].
func NewLoader(fsys fs.FS, reg *Registry) *Loader {
	return &Loader{fsys: fsys, reg: reg, byName: map[string]*Mapping{}, byFile: map[string]string{}}
}

// Load reads and compiles every mapping file. The ones that compile take effect
// together; each one that does not is reported (its [*SpecError] names the file and
// lists every problem) and its last good version stays in force. Two files giving the
// same mapping name is an error for both.
func (l *Loader) Load() error {
	var files []string
	err := fs.WalkDir(l.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(path.Ext(p)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mapping: reading mappings: %w", err)
	}
	slices.Sort(files)
	var errs []error
	compiled := map[string]*Mapping{}
	from := map[string]string{}
	for _, f := range files {
		m, err := l.compileFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := from[m.name]; dup {
			errs = append(errs, &SpecError{Mapping: m.name, Problems: []string{fmt.Sprintf("%s and %s both define mapping %q", other, f, m.name)}})
			delete(compiled, m.name)
			continue
		}
		compiled[m.name], from[m.name] = m, f
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, m := range compiled {
		l.byName[name] = m
		l.byFile[from[name]] = name
	}
	return errors.Join(errs...)
}

func (l *Loader) compileFile(f string) (*Mapping, error) {
	b, err := fs.ReadFile(l.fsys, f)
	if err != nil {
		return nil, fmt.Errorf("mapping: %s: %w", f, err)
	}
	spec, err := ParseSpec(b)
	if err == nil {
		var m *Mapping
		if m, err = Compile(spec, l.reg); err == nil {
			return m, nil
		}
	}
	var se *SpecError
	if errors.As(err, &se) {
		se.Mapping = f + ": " + se.Mapping
	}
	return nil, err
}

// Mapping returns the mapping in force under name.
func (l *Loader) Mapping(name string) (*Mapping, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	m, ok := l.byName[name]
	return m, ok
}

// Names lists the mappings in force, sorted.
func (l *Loader) Names() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]string, 0, len(l.byName))
	for n := range l.byName {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
