package webhook

import (
	"net/http"
	"testing"
	"time"

	"crypto"
	"github.com/dispatchcenter/connectors/clock"
	"strings"
)

// FuzzStandardVerify feeds arbitrary headers and bodies to the Standard Webhooks
// verifier: it must never panic, and must accept only what the signer made.
func FuzzStandardVerify(f *testing.F) {
	f.Add(specID, "1614265330", specSig, []byte(specBody))
	f.Add("", "", "", []byte{})
	f.Add("msg", "-1", "v1,", []byte("x"))
	f.Add("msg", "99999999999999999999", "v1a,AAAA v1,==== v2", []byte("{}"))
	v, err := NewStandard(StandardOptions{Secrets: []string{specSecret}, Clock: clock.NewFake(time.Unix(specTS, 0))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		r := &http.Request{Header: http.Header{}}
		r.Header.Set("webhook-id", id)
		r.Header.Set("webhook-timestamp", ts)
		r.Header.Set("webhook-signature", sig)
		got, err := v.Verify(r, body)
		if err == nil && (got.ID != id || sig == "") {
			t.Fatalf("accepted inconsistent delivery: %+v", got)
		}
		if err == nil && !(id == specID && ts == "1614265330" && string(body) == specBody) {
			t.Fatalf("accepted a delivery the key never signed: id=%q ts=%q body=%q", id, ts, body)
		}
	})
}

// FuzzHMACHeaders feeds arbitrary signature and timestamp headers to the configurable
// HMAC verifier.
func FuzzHMACHeaders(f *testing.F) {
	f.Add("sha256=00ff", "1000", []byte("{}"))
	f.Add("sha256=,,, ,", "", []byte{})
	f.Add("zz", "1e9", []byte("x"))
	v, err := NewHMAC(HMACOptions{Header: "X-Sig", Prefix: "sha256=", TimestampHeader: "X-Ts",
		Secrets: [][]byte{[]byte("0123456789abcdef0123")}, Clock: clock.NewFake(time.Unix(1000, 0))})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		r := &http.Request{Header: http.Header{}}
		r.Header.Set("X-Sig", sig)
		r.Header.Set("X-Ts", ts)
		if _, err := v.Verify(r, body); err == nil {
			// only a real HMAC over ts.body passes; recompute to be sure
			if !v.validFor(sig, ts, body) {
				t.Fatal("accepted a wrong signature")
			}
		}
	})
}

func (v *HMAC) validFor(sig, ts string, body []byte) bool {
	r := &http.Request{Header: http.Header{}}
	r.Header.Set(v.o.Header, sig)
	r.Header.Set(v.o.TimestampHeader, ts)
	for _, want := range v.macs(ts, body) {
		got, err := v.decode(sig[len(v.o.Prefix):])
		if err == nil && string(got) == string(want) {
			return true
		}
	}
	return false
}

// FuzzBearerVerify feeds arbitrary Authorization headers to the JWT verifier: it must
// never panic, and must accept only the tokens the issuer's key signed.
func FuzzBearerVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	key := []byte("an-hs256-key-of-thirty-two-bytes!!")
	signer, err := NewJWTSigner("k1", key)
	if err != nil {
		f.Fatal(err)
	}
	good, err := signer.Sign(JWTClaims{Issuer: "iss", Audience: "aud", ID: "d-1", Expires: now.Add(time.Hour)})
	if err != nil {
		f.Fatal(err)
	}
	signed := good[:strings.LastIndexByte(good, '.')] // header.claims
	f.Add("Bearer " + good)
	f.Add("Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJpc3MifQ.")
	f.Add("Bearer a.b.c")
	f.Add("Bearer ...")
	f.Add("Basic dXNlcjpwYXNz")
	f.Add("")
	v, err := NewBearer(BearerOptions{Issuer: "iss", Audience: "aud", Keys: map[string]crypto.PublicKey{"k1": key},
		Clock: clock.NewFake(now), DeliveryID: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, auth string) {
		r := &http.Request{Header: http.Header{}}
		r.Header.Set("Authorization", auth)
		got, err := v.Verify(r, nil)
		// the signature covers the header and the claims exactly as sent; only the
		// signature's own base64 may be spelled another way for the same bytes
		if err == nil && (!strings.HasPrefix(auth, "Bearer "+signed+".") || got.ID != "d-1") {
			t.Fatalf("accepted a token the key never signed: %q", auth)
		}
	})
}
