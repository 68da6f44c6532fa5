package webhook

import (
	"crypto/hmac"
	"hash"
	"io"
	"sync"
)

// macPool hands out HMACs keyed with one secret. crypto/hmac keeps its keyed state and
// restores it on Reset, so a pooled HMAC skips the key schedule and the allocations
// of hmac.New on every delivery; the pool keeps verification safe for concurrent use.
type macPool struct{ p sync.Pool }

func newMACPool(h func() hash.Hash, secret []byte) *macPool {
	mp := &macPool{}
	mp.p.New = func() any { return hmac.New(h, secret) }
	return mp
}

// sum appends to dst the MAC of head[0] "." head[1] "." … body (each head part is
// followed by a dot) and returns it.
func (mp *macPool) sum(dst []byte, body []byte, head ...string) []byte {
	m := mp.p.Get().(hash.Hash)
	m.Reset()
	for _, h := range head {
		_, _ = io.WriteString(m, h)
		_, _ = m.Write(dot)
	}
	_, _ = m.Write(body)
	dst = m.Sum(dst)
	mp.p.Put(m)
	return dst
}
