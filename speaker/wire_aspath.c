/* AS_PATH handling: validation, the 2/4-octet conversions of RFC 6793 and
 * the helpers the decision process and export need. */
#include "speaker/wire_int.h"

#include <stdint.h>

int wire_aspath_check(const uint8_t *p, size_t len, unsigned width, bool *confed, const char **why)
{
	size_t i = 0;

	*confed = false;
	while (i < len) {
		if (len - i < 2) {
			*why = "segment header truncated";
			return -1;
		}
		uint8_t type = p[i], count = p[i + 1];
		if (type < WIRE_AS_SET || type > WIRE_AS_CONFED_SET) {
			*why = "unknown segment type";
			return -1;
		}
		/* RFC 7606 §7.2: a segment length of zero is malformed. */
		if (count == 0) {
			*why = "empty segment";
			return -1;
		}
		if (len - i - 2 < (size_t)count * width) {
			*why = "segment overruns the attribute";
			return -1;
		}
		if (type >= WIRE_AS_CONFED_SEQUENCE)
			*confed = true;
		/* RFC 7607: AS 0 makes the path malformed. */
		for (unsigned k = 0; k < count; k++) {
			const uint8_t *a = p + i + 2 + (size_t)k * width;
			if ((width == 4 ? get32(a) : get16(a)) == 0) {
				*why = "AS 0 in the path (RFC 7607)";
				return -1;
			}
		}
		i += 2 + (size_t)count * width;
	}
	return 0;
}

size_t wire_aspath_widen(const uint8_t *p, size_t len, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i + 2 <= len) {
		uint8_t count = p[i + 1];
		out[o++] = p[i];
		out[o++] = count;
		i += 2;
		for (unsigned k = 0; k < count && i + 2 <= len; k++, i += 2) {
			put32(out + o, get16(p + i));
			o += 4;
		}
	}
	return o;
}

size_t wire_aspath_narrow(const uint8_t *p, size_t len, uint8_t *out, bool *mapped)
{
	size_t i = 0, o = 0;

	*mapped = false;
	while (i + 2 <= len) {
		uint8_t count = p[i + 1];
		out[o++] = p[i];
		out[o++] = count;
		i += 2;
		for (unsigned k = 0; k < count && i + 4 <= len; k++, i += 4) {
			uint32_t as = get32(p + i);
			if (as > 0xffff) {
				as = BGP_AS_TRANS;
				*mapped = true;
			}
			put16(out + o, (uint16_t)as);
			o += 2;
		}
	}
	return o;
}

size_t wire_aspath_strip_confed(const uint8_t *p, size_t len, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i + 2 <= len) {
		size_t seg = 2 + (size_t)p[i + 1] * 4;
		if (i + seg > len)
			break;
		if (p[i] == WIRE_AS_SET || p[i] == WIRE_AS_SEQUENCE) {
			memmove(out + o, p + i, seg);
			o += seg;
		}
		i += seg;
	}
	return o;
}

unsigned wire_aspath_length(const uint8_t *path, size_t len)
{
	size_t i = 0;
	unsigned n = 0;

	while (i + 2 <= len) {
		if (path[i] == WIRE_AS_SEQUENCE)
			n += path[i + 1];
		else if (path[i] == WIRE_AS_SET)
			n += 1;
		i += 2 + (size_t)path[i + 1] * 4;
	}
	return n;
}

size_t wire_as4_merge(const uint8_t *path, size_t len, const uint8_t *as4, size_t len4,
		      uint8_t *out)
{
	unsigned n = wire_aspath_length(path, len), m = wire_aspath_length(as4, len4);
	unsigned need;
	size_t i = 0, o = 0;
	bool prev_taken = true;	    /* a leading confed segment is kept */
	size_t last_seq = SIZE_MAX; /* offset of the last segment written if AS_SEQUENCE */

	if (n < m) {
		memmove(out, path, len);
		return len;
	}
	need = n - m;
	while (i + 2 <= len) {
		uint8_t type = path[i], count = path[i + 1];
		size_t seg = 2 + (size_t)count * 4;
		if (i + seg > len)
			break;
		if (type == WIRE_AS_CONFED_SEQUENCE || type == WIRE_AS_CONFED_SET) {
			/* Kept when leading or next to a segment that is kept. */
			if (!prev_taken && need == 0)
				break;
			memmove(out + o, path + i, seg);
			o += seg;
			last_seq = SIZE_MAX;
		} else if (need == 0) {
			break;
		} else if (type == WIRE_AS_SET) {
			memmove(out + o, path + i, seg);
			o += seg;
			last_seq = SIZE_MAX;
			need--;
			prev_taken = true;
		} else {
			unsigned take = count < need ? count : need;
			out[o] = type;
			out[o + 1] = (uint8_t)take;
			memmove(out + o + 2, path + i + 2, (size_t)take * 4);
			last_seq = o;
			o += 2 + (size_t)take * 4;
			need -= take;
			prev_taken = true;
			if (take < count)
				break;
		}
		i += seg;
	}
	/* Join a trailing AS_SEQUENCE with a leading one of AS4_PATH, so the
	 * result does not depend on where the old speaker cut the path. */
	if (last_seq != SIZE_MAX && len4 >= 2 && as4[0] == WIRE_AS_SEQUENCE &&
	    out[last_seq + 1] + as4[1] <= 255 && 2 + (size_t)as4[1] * 4 <= len4) {
		out[last_seq + 1] = (uint8_t)(out[last_seq + 1] + as4[1]);
		memcpy(out + o, as4 + 2, len4 - 2);
		return o + len4 - 2;
	}
	memcpy(out + o, as4, len4);
	return o + len4;
}

uint32_t wire_aspath_first_as(const uint8_t *path, size_t len)
{
	if (len < 6 || path[0] != WIRE_AS_SEQUENCE || path[1] == 0)
		return 0;
	return get32(path + 2);
}

uint32_t wire_aspath_origin_as(const uint8_t *path, size_t len)
{
	size_t i = 0;
	uint32_t last = 0;

	while (i + 2 <= len) {
		size_t seg = 2 + (size_t)path[i + 1] * 4;
		if (i + seg > len)
			break;
		if (path[i] == WIRE_AS_SEQUENCE && path[i + 1])
			last = get32(path + i + seg - 4);
		i += seg;
	}
	return last;
}

bool wire_aspath_contains(const uint8_t *path, size_t len, uint32_t as)
{
	size_t i = 0;

	while (i + 2 <= len) {
		uint8_t count = path[i + 1];
		i += 2;
		for (unsigned k = 0; k < count && i + 4 <= len; k++, i += 4)
			if (get32(path + i) == as)
				return true;
	}
	return false;
}

int wire_aspath_prepend(const uint8_t *path, size_t len, uint32_t as, unsigned count, uint8_t *out,
			size_t cap)
{
	size_t o = 0, rest_off = 0;
	unsigned merged = 0;

	/* Extend a leading AS_SEQUENCE in place when it has room. */
	if (len >= 2 && path[0] == WIRE_AS_SEQUENCE) {
		unsigned have = path[1];
		merged = count <= 255 - have ? count : 255 - have;
		if (merged) {
			size_t seg = 2 + (size_t)have * 4;
			if (seg > len)
				return -EINVAL;
			count -= merged;
			rest_off = seg;
		}
	}
	/* Whole new segments for what did not fit. */
	while (count) {
		unsigned n = count > 255 ? 255 : count;
		if (o + 2 + (size_t)n * 4 > cap)
			return -ENOSPC;
		out[o++] = WIRE_AS_SEQUENCE;
		out[o++] = (uint8_t)n;
		for (unsigned k = 0; k < n; k++, o += 4)
			put32(out + o, as);
		count -= n;
	}
	if (merged) {
		unsigned have = path[1];
		if (o + 2 + (size_t)(have + merged) * 4 > cap)
			return -ENOSPC;
		out[o++] = WIRE_AS_SEQUENCE;
		out[o++] = (uint8_t)(have + merged);
		for (unsigned k = 0; k < merged; k++, o += 4)
			put32(out + o, as);
		memcpy(out + o, path + 2, (size_t)have * 4);
		o += (size_t)have * 4;
	}
	if (o + len - rest_off > cap)
		return -ENOSPC;
	memcpy(out + o, path + rest_off, len - rest_off);
	return (int)(o + len - rest_off);
}
