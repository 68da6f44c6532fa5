package treadnet

import (
	"errors"
	"fmt"
)

// The checks below run before any bytes reach gosnmp's decoder: a datagram from the
// network is taken apart as far as the SNMP standards fix its shape, so that the
// decoder only ever sees messages whose every length is consistent and whose outer
// structure is the one the standards define. Sources:
//   - RFC 3417 §8: SNMP uses BER with definite lengths only, the primitive form for
//     INTEGER, OCTET STRING and OBJECT IDENTIFIER, the constructed form only for
//     SEQUENCEs (so the constructed bit tells where to descend);
//   - RFC 3417 §3: one message per UDP datagram (nothing may follow it);
//   - RFC 1901 §3 (v2c Message), RFC 3416 §3 (PDU, VarBind);
//   - RFC 3412 §6 (SNMPv3Message, HeaderData, ScopedPduData), RFC 3414 §2.4
//     (UsmSecurityParameters).

// BER tags (single-octet: SNMP uses no tag number above 30).
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagOID         = 0x06
	tagSequence    = 0x30
	tagInform      = 0xa6 // [6] IMPLICIT PDU, RFC 3416
	tagTrapV2      = 0xa7 // [7] IMPLICIT PDU, RFC 3416

	constructed = 0x20
	maxDepth    = 16 // far deeper than any SNMP message nests
)

var errBER = errors.New("not well-formed BER")

// tlv splits the first BER element off b: its tag, its contents and what follows.
func tlv(b []byte) (tag byte, content, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, fmt.Errorf("%w: element of %d bytes", errBER, len(b))
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, fmt.Errorf("%w: multi-octet tag", errBER)
	}
	n, i := int(b[1]), 2
	if n&0x80 != 0 {
		octets := n & 0x7f
		if octets == 0 {
			return 0, nil, nil, fmt.Errorf("%w: indefinite length (RFC 3417 §8)", errBER)
		}
		if octets > 3 || len(b) < 2+octets { // 3 octets already exceed any datagram
			return 0, nil, nil, fmt.Errorf("%w: length of %d octets", errBER, octets)
		}
		n = 0
		for _, c := range b[2 : 2+octets] {
			n = n<<8 | int(c)
		}
		i += octets
	}
	if n > len(b)-i {
		return 0, nil, nil, fmt.Errorf("%w: element of %d bytes in %d", errBER, n, len(b)-i)
	}
	return tag, b[i : i+n], b[i+n:], nil
}

// wellFormed checks that b is a run of BER elements whose constructed elements hold
// well-formed runs in turn, down to depth.
func wellFormed(b []byte, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: nested deeper than %d", errBER, maxDepth)
	}
	for len(b) > 0 {
		tag, content, rest, err := tlv(b)
		if err != nil {
			return err
		}
		if tag&constructed != 0 {
			if err := wellFormed(content, depth+1); err != nil {
				return err
			}
		}
		b = rest
	}
	return nil
}

// elements splits a constructed element's contents into its elements, checking that
// their tags are want (0 accepts any tag at that place).
func elements(content []byte, want ...byte) ([][]byte, error) {
	var out [][]byte
	for len(content) > 0 {
		tag, _, rest, err := tlv(content)
		if err != nil {
			return nil, err
		}
		if len(out) == len(want) {
			return nil, fmt.Errorf("%w: more than %d elements", errBER, len(want))
		}
		if want[len(out)] != 0 && tag != want[len(out)] {
			return nil, fmt.Errorf("%w: element %d has tag %#x, not %#x", errBER, len(out)+1, tag, want[len(out)])
		}
		out = append(out, content[:len(content)-len(rest)])
		content = rest
	}
	if len(out) != len(want) {
		return nil, fmt.Errorf("%w: %d elements, not %d", errBER, len(out), len(want))
	}
	return out, nil
}

// contents returns the contents of the single element e.
func contents(e []byte) []byte {
	_, c, _, _ := tlv(e) // e was split off by elements: it parses
	return c
}

// checkMessage checks a datagram's shape as an SNMP v2c or v3 message and returns its
// version number (1 for v2c, 3 for v3). Anything else is [ErrTrapMalformed].
func checkMessage(packet []byte) (int, error) {
	tag, msg, rest, err := tlv(packet)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%w: %w", ErrTrapMalformed, err)
	case tag != tagSequence:
		return 0, fmt.Errorf("%w: not a SEQUENCE", ErrTrapMalformed)
	case len(rest) != 0:
		return 0, fmt.Errorf("%w: %d bytes after the message", ErrTrapMalformed, len(rest))
	}
	if err := wellFormed(msg, 1); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrTrapMalformed, err)
	}
	v, err := elements(msg, tagInteger, 0, 0, 0)
	if err != nil {
		// a v2c message has three elements, a v3 message four
		if v, err = elements(msg, tagInteger, tagOctetString, 0); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrTrapMalformed, err)
		}
	}
	version := contents(v[0])
	if len(version) != 1 {
		return 0, fmt.Errorf("%w: a version of %d bytes", ErrTrapMalformed, len(version))
	}
	switch {
	case version[0] == 1 && len(v) == 3:
		err = checkPDU(v[2]) // a v2c message's data is its PDU
	case version[0] == 3 && len(v) == 4:
		err = checkV3(v[1], v[2], v[3])
	default:
		return 0, fmt.Errorf("%w: not an SNMP v2c or v3 message", ErrTrapMalformed)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrTrapMalformed, err)
	}
	return int(version[0]), nil
}

// checkPDU checks an SNMPv2-Trap or InformRequest PDU (RFC 3416 §3): request-id,
// error-status, error-index and a list of (name, value) bindings.
func checkPDU(pdu []byte) error {
	if pdu[0] != tagTrapV2 && pdu[0] != tagInform {
		return fmt.Errorf("%w: PDU tag %#x is not a notification", errBER, pdu[0])
	}
	f, err := elements(contents(pdu), tagInteger, tagInteger, tagInteger, tagSequence)
	if err != nil {
		return err
	}
	for list := contents(f[3]); len(list) > 0; {
		_, vb, rest, err := tlv(list)
		if err != nil {
			return err
		}
		if list[0] != tagSequence {
			return fmt.Errorf("%w: a variable binding is not a SEQUENCE", errBER)
		}
		if _, err := elements(vb, tagOID, 0); err != nil {
			return err
		}
		list = rest
	}
	return nil
}

// checkV3 checks a v3 message's header, USM security parameters and, when in plain
// text, its scoped PDU (an encrypted one is an OCTET STRING the decoder decrypts).
func checkV3(header, security, data []byte) error {
	if header[0] != tagSequence {
		return fmt.Errorf("%w: msgGlobalData is not a SEQUENCE", errBER)
	}
	h, err := elements(contents(header), tagInteger, tagInteger, tagOctetString, tagInteger)
	if err != nil {
		return err
	}
	if len(contents(h[2])) != 1 {
		return fmt.Errorf("%w: msgFlags is not one octet", errBER)
	}
	if security[0] != tagOctetString {
		return fmt.Errorf("%w: msgSecurityParameters is not an OCTET STRING", errBER)
	}
	usm := contents(security)
	tag, sp, rest, err := tlv(usm)
	switch {
	case err != nil:
		return err
	case tag != tagSequence || len(rest) != 0:
		return fmt.Errorf("%w: msgSecurityParameters do not hold one SEQUENCE", errBER)
	}
	if err := wellFormed(sp, 1); err != nil {
		return err
	}
	u, err := elements(sp, tagOctetString, tagInteger, tagInteger, tagOctetString, tagOctetString, tagOctetString)
	if err != nil {
		return err
	}
	if len(contents(u[3])) > 32 {
		return fmt.Errorf("%w: msgUserName longer than 32 octets", errBER)
	}
	switch data[0] {
	case tagOctetString:
		return nil
	case tagSequence:
		s, err := elements(contents(data), tagOctetString, tagOctetString, 0)
		if err != nil {
			return err
		}
		return checkPDU(s[2])
	}
	return fmt.Errorf("%w: msgData is neither a scoped PDU nor encrypted", errBER)
}
