package connectors

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
)

// Checkpoint stores where a sync, a feed or an export stands, across restarts. The
// state is opaque bytes owned by the connector that saves it.
type Checkpoint interface {
	// Load returns the saved state, or nil when there is none.
	Load(ctx context.Context) ([]byte, error)
	// Save replaces the saved state.
	Save(ctx context.Context, state []byte) error
}

// FileCheckpoint keeps the state in a file, replaced atomically (a temporary file in
// the same directory, synced, then renamed), so a crash never leaves half a state.
type FileCheckpoint struct{ Path string }

// Load reads the file (nil when it does not exist).
func (f FileCheckpoint) Load(context.Context) ([]byte, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Save writes the state through a temporary file and a rename.
func (f FileCheckpoint) Save(_ context.Context, state []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".checkpoint-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(state)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), f.Path)
}

// MemoryCheckpoint keeps the state in memory (tests, or a process that may start over).
// It is safe for concurrent use.
type MemoryCheckpoint struct {
	mu    sync.Mutex
	state []byte
}

// Load returns the saved state.
func (m *MemoryCheckpoint) Load(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.state...), nil
}

// Save keeps a copy of state.
func (m *MemoryCheckpoint) Save(_ context.Context, state []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.state = append([]byte(nil), state...)
	return nil
}
