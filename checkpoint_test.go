package connectors_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
)

func TestCheckpointsRoundTrip(t *testing.T) {
	ctx := context.Background()
	for name, cp := range map[string]connectors.Checkpoint{
		"file":   connectors.FileCheckpoint{Path: filepath.Join(t.TempDir(), "cp.json")},
		"memory": &connectors.MemoryCheckpoint{},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := cp.Load(ctx)
			require.NoError(t, err)
			require.Nil(t, b, "no state before the first save")
			require.NoError(t, cp.Save(ctx, []byte(`{"a":1}`)))
			require.NoError(t, cp.Save(ctx, []byte(`{"a":2}`)))
			b, err = cp.Load(ctx)
			require.NoError(t, err)
			require.JSONEq(t, `{"a":2}`, string(b))
		})
	}
	_, err := connectors.FileCheckpoint{Path: filepath.Join(t.TempDir(), "missing", "cp.json")}.Load(ctx)
	require.NoError(t, err, "a checkpoint that was never saved is empty, not an error")
	err = connectors.FileCheckpoint{Path: filepath.Join(t.TempDir(), "missing", "cp.json")}.Save(ctx, []byte("x"))
	require.Error(t, err, "a directory that does not exist is reported")
}
