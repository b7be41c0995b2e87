/* Scalar formats with the semantics of the Go functions Calico uses
 * (strconv.ParseUint, net.ParseIP, net.ParseCIDR, time.ParseDuration,
 * apimachinery's validation helpers). */
#include "lib/scalar.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- numbers ---- */

/* strconv.ParseUint(s, 10, bits): decimal digits only, leading zeros fine,
 * no sign, no spaces. */
static int parse_uint(const char *s, size_t n, int bits, uint64_t *out)
{
	uint64_t v = 0, max = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;

	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int asn_parse(const char *s, uint32_t *out)
{
	const char *dot;
	uint64_t hi, lo;

	if (parse_uint(s, strlen(s), 32, &hi) == 0) {
		*out = (uint32_t)hi;
		return 0;
	}
	dot = strchr(s, '.');
	if (!dot || strchr(dot + 1, '.'))
		return -EINVAL;
	if (parse_uint(s, (size_t)(dot - s), 16, &hi) ||
	    parse_uint(dot + 1, strlen(dot + 1), 16, &lo))
		return -EINVAL;
	*out = (uint32_t)(hi << 16 | lo);
	return 0;
}

/* ---- IP addresses ---- */

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int ip_parse(const char *s, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':')) {
		uint8_t b[16];

		if (inet_pton(AF_INET6, s, b) != 1)
			return -EINVAL;
		/* Go's To4() treats IPv4-mapped addresses as IPv4. */
		if (memcmp(b, v4_mapped_prefix, 12) == 0) {
			out->family = 4;
			memcpy(out->b, b + 12, 4);
		} else {
			out->family = 6;
			memcpy(out->b, b, 16);
		}
		return 0;
	}
	if (inet_pton(AF_INET, s, out->b) != 1)
		return -EINVAL;
	out->family = 4;
	return 0;
}

char *ip_format(const struct ip_addr *ip, char buf[IP_STRLEN])
{
	int best = -1, bestlen = 0;
	char *p = buf;

	if (ip->family == 4) {
		snprintf(buf, IP_STRLEN, "%u.%u.%u.%u", ip->b[0], ip->b[1], ip->b[2], ip->b[3]);
		return buf;
	}
	/* RFC 5952: compress the longest run (>= 2 groups) of zero groups,
	 * the first one on ties, as Go does. */
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && ip->b[2 * j] == 0 && ip->b[2 * j + 1] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			*p++ = ':';
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			*p++ = ':';
		p += sprintf(p, "%x", (unsigned)(ip->b[2 * i] << 8 | ip->b[2 * i + 1]));
	}
	*p = '\0';
	return buf;
}

bool ip_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

/* ---- CIDRs ---- */

int cidr_parse(const char *s, struct ip_cidr *out)
{
	const char *slash = strrchr(s, '/');
	char addr[IP_STRLEN];
	uint64_t len;
	size_t n;

	if (!slash)
		return -EINVAL;
	n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (strchr(addr, ':')) {
		/* An IPv6 literal keeps its 128-bit prefix space even when
		 * it is IPv4-mapped. */
		if (inet_pton(AF_INET6, addr, out->ip.b) != 1)
			return -EINVAL;
		out->ip.family = 6;
	} else if (inet_pton(AF_INET, addr, out->ip.b) == 1) {
		out->ip.family = 4;
	} else {
		return -EINVAL;
	}
	/* Go rejects leading zeros and signs in the prefix length. */
	n = strlen(slash + 1);
	if (n == 0 || n > 3 || (n > 1 && slash[1] == '0') || parse_uint(slash + 1, n, 16, &len))
		return -EINVAL;
	if (len > (out->ip.family == 4 ? 32u : 128u))
		return -EINVAL;
	out->len = (int)len;
	return 0;
}

int cidr_parse_or_ip(const char *s, struct ip_cidr *out)
{
	if (strchr(s, '/'))
		return cidr_parse(s, out);
	memset(out, 0, sizeof(*out));
	if (ip_parse(s, &out->ip))
		return -EINVAL;
	out->len = out->ip.family == 4 ? 32 : 128;
	return 0;
}

static int family_bits(int family)
{
	return family == 4 ? 32 : 128;
}

void cidr_network(const struct ip_cidr *c, struct ip_cidr *net)
{
	int bits = family_bits(c->ip.family);

	*net = *c;
	for (int i = c->len; i < bits; i++)
		net->ip.b[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

bool cidr_is_masked(const struct ip_cidr *c)
{
	struct ip_cidr n;

	cidr_network(c, &n);
	return ip_equal(&n.ip, &c->ip);
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, int len)
{
	for (int i = 0; i < len; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));

		if ((a[i / 8] & m) != (b[i / 8] & m))
			return false;
	}
	return true;
}

bool cidr_overlaps(const struct ip_cidr *a, const struct ip_cidr *b)
{
	if (a->ip.family != b->ip.family)
		return false;
	return prefix_match(a->ip.b, b->ip.b, a->len < b->len ? a->len : b->len);
}

bool cidr_contains(const struct ip_cidr *c, const struct ip_addr *ip)
{
	return c->ip.family == ip->family && prefix_match(c->ip.b, ip->b, c->len);
}

char *cidr_format(const struct ip_cidr *c, char buf[IP_STRLEN])
{
	struct ip_cidr n;
	char a[IP_STRLEN];

	cidr_network(c, &n);
	snprintf(buf, IP_STRLEN, "%s/%d", ip_format(&n.ip, a), c->len);
	return buf;
}

/* ---- peerIP[:port] ---- */

/* ^(\d+).(\d+).(\d+).(\d+):(\d+)$ with backtracking: the dots are
 * unescaped in Calico's regex, so any single character (even a digit)
 * separates the groups. */
static bool match_v4_port_bt(const char *s, int group)
{
	if (group == 4) {
		/* (\d+)$ */
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
		return *s == '\0';
	}
	if (!isdigit((unsigned char)*s))
		return false;
	for (const char *p = s + 1;; p++) {
		/* group digits are s..p-1; separator at p */
		if (*p == '\0')
			return false;
		if (group == 3) {
			if (*p == ':' && match_v4_port_bt(p + 1, 4))
				return true;
		} else if (match_v4_port_bt(p + 1, group + 1)) {
			return true;
		}
		if (!isdigit((unsigned char)*p))
			return false;
	}
}

/* ^\[[0-9a-fA-F:.]+\]:(\d+)$ */
static bool match_v6_port(const char *s)
{
	const char *p = s;

	if (*p++ != '[')
		return false;
	if (!*p || *p == ']')
		return false;
	while (*p && *p != ']') {
		if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
			return false;
		p++;
	}
	if (*p++ != ']' || *p++ != ':' || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0';
}

int peerip_parse(const char *s, struct ip_addr *ip, uint16_t *port, char *host)
{
	char h[IP_STRLEN];
	const char *colon;
	uint64_t pv = 0;
	size_t n;

	*port = 0;
	if (!*s)
		return -EINVAL;
	if (match_v4_port_bt(s, 0) || match_v6_port(s)) {
		/* net.SplitHostPort on the matched shapes. */
		colon = strrchr(s, ':');
		if (s[0] == '[') {
			n = (size_t)(colon - s) - 2;
			if (n >= sizeof(h))
				return -EINVAL;
			memcpy(h, s + 1, n);
		} else {
			n = (size_t)(colon - s);
			if (n >= sizeof(h))
				return -EINVAL;
			memcpy(h, s, n);
		}
		h[n] = '\0';
		if (parse_uint(colon + 1, strlen(colon + 1), 16, &pv) || pv < 1)
			return -EINVAL;
	} else {
		n = strlen(s);
		if (n >= sizeof(h))
			return -EINVAL;
		memcpy(h, s, n + 1);
	}
	if (ip_parse(h, ip))
		return -EINVAL;
	*port = (uint16_t)pv;
	if (host)
		memcpy(host, h, strlen(h) + 1);
	return 0;
}

/* ---- names and labels ---- */

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return isalnum((unsigned char)c) != 0;
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)* */
bool name_valid(const char *s)
{
	const char *p = s;

	for (;;) {
		const char *start = p;

		while (is_lower_alnum(*p) || *p == '-')
			p++;
		if (p == start || !is_lower_alnum(*start) || !is_lower_alnum(p[-1]))
			return false;
		if (*p == '\0')
			return true;
		if (*p != '.')
			return false;
		p++;
	}
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static bool qualified_name_part(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define QNAME_MSG                                                                                  \
	"must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "   \
	"an "                                                                                      \
	"alphanumeric character"
#define QNAME_EXAMPLES "(e.g. 'MyName',  or 'my.name',  or '123-abc', "
#define DNS1123_SUB_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
#define DNS1123_SUB_MSG                                                                            \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "  \
	"or "                                                                                      \
	"'.', and must start and end with an alphanumeric character"
#define LABEL_VALUE_MSG                                                                            \
	"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "   \
	"or "                                                                                      \
	"'.', and must start and end with an alphanumeric character"

/* Appends one reason line. */
static void add_reason(char *buf, size_t len, const char *fmt, const char *a, int n)
{
	size_t used = strlen(buf);

	if (used && used + 1 < len)
		buf[used++] = '\n', buf[used] = '\0';
	if (used < len)
		snprintf(buf + used, len - used, fmt, a, n);
}

static bool dns1123_reasons(const char *s, const char *prefix, char *reason, size_t len)
{
	bool ok = true;

	if (strlen(s) > 253) {
		add_reason(reason, len, "%smust be no more than %d characters", prefix, 253);
		ok = false;
	}
	if (!name_valid(s)) {
		add_reason(reason, len,
			   "%s" DNS1123_SUB_MSG
			   " (e.g. 'example.com', regex used for validation is '" DNS1123_SUB_FMT
			   "')%.0d",
			   prefix, 0);
		ok = false;
	}
	return ok;
}

bool dns1123_subdomain_valid(const char *s, char *reason, size_t len)
{
	if (reason && len)
		reason[0] = '\0';
	return dns1123_reasons(s, "", reason, len);
}

bool label_key_valid(const char *key, char *reason, size_t len)
{
	const char *slash = strchr(key, '/'), *name = key;
	bool ok = true;

	reason[0] = '\0';
	if (slash && strchr(slash + 1, '/')) {
		add_reason(reason, len,
			   "%sa qualified name " QNAME_MSG " " QNAME_EXAMPLES
			   "regex used for validation is '" QNAME_FMT
			   "') with an optional DNS subdomain prefix and '/' (e.g. "
			   "'example.com/MyName')%.0d",
			   "", 0);
		return false;
	}
	if (slash) {
		char prefix[512];
		size_t n = (size_t)(slash - key);

		name = slash + 1;
		if (n == 0) {
			add_reason(reason, len, "%smust be non-empty%.0d", "prefix part ", 0);
			ok = false;
		} else if (n >= sizeof(prefix)) {
			add_reason(reason, len, "%smust be no more than %d characters",
				   "prefix part ", 253);
			ok = false;
		} else {
			memcpy(prefix, key, n);
			prefix[n] = '\0';
			ok = dns1123_reasons(prefix, "prefix part ", reason, len) && ok;
		}
	}
	if (*name == '\0') {
		add_reason(reason, len, "%smust be non-empty%.0d", "name part ", 0);
		ok = false;
	} else if (strlen(name) > 63) {
		add_reason(reason, len, "%smust be no more than %d characters", "name part ", 63);
		ok = false;
	}
	if (!qualified_name_part(name, strlen(name))) {
		add_reason(reason, len,
			   "%s" QNAME_MSG " " QNAME_EXAMPLES
			   "regex used for validation is '" QNAME_FMT "')%.0d",
			   "name part ", 0);
		ok = false;
	}
	return ok;
}

bool label_value_valid(const char *value, char *reason, size_t len)
{
	size_t n = strlen(value);
	bool ok = true;

	reason[0] = '\0';
	if (n > 63) {
		add_reason(reason, len, "%smust be no more than %d characters", "", 63);
		ok = false;
	}
	if (n > 0 && !qualified_name_part(value, n)) {
		add_reason(reason, len,
			   "%s" LABEL_VALUE_MSG
			   " (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
			   "validation is '(" QNAME_FMT ")?')%.0d",
			   "", 0);
		ok = false;
	}
	return ok;
}

/* ---- communities ---- */

int community_check(const char *s, int *bits, int *nbad)
{
	const char *parts[3];
	size_t lens[3];
	int n = 0, bad = 0;
	const char *p = s;

	for (;;) {
		const char *start = p;

		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start || n == 3)
			return -EINVAL;
		parts[n] = start;
		lens[n++] = (size_t)(p - start);
		if (*p == '\0')
			break;
		if (*p != ':')
			return -EINVAL;
		p++;
	}
	if (n < 2)
		return -EINVAL;
	*bits = n == 2 ? 16 : 32;
	for (int i = 0; i < n; i++) {
		uint64_t v;

		if (parse_uint(parts[i], lens[i], *bits, &v))
			bad++;
	}
	if (nbad)
		*nbad = bad;
	return bad ? -ERANGE : 0;
}

/* ---- durations ---- */

struct dur_unit {
	const char *name;
	uint64_t ns;
};

static const struct dur_unit dur_units[] = {
    {"ns", 1},		 {"us", 1000},	    {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000},					 /* U+03BC Greek mu */
    {"ms", 1000000},	 {"s", 1000000000}, {"m", 60ull * 1000000000}, {"h", 3600ull * 1000000000},
};

static int dur_fail(const char *fmt, const char *orig, const char *unit, char *msg, size_t len)
{
	if (msg && len) {
		if (unit)
			snprintf(msg, len, fmt, unit, orig);
		else
			snprintf(msg, len, fmt, orig);
	}
	return -EINVAL;
}

int duration_parse(const char *orig, int64_t *out, char *msg, size_t msg_len)
{
	const char *s = orig;
	uint64_t d = 0;
	bool neg = false;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (*s == '\0')
		return dur_fail("time: invalid duration \"%s\"", orig, NULL, msg, msg_len);
	while (*s) {
		uint64_t v = 0, f = 0, scale = 1, unit = 0;
		bool pre, post = false, overflow = false;
		const char *start = s;
		char uname[16];
		size_t ul;

		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			return dur_fail("time: invalid duration \"%s\"", orig, NULL, msg, msg_len);
		while (*s >= '0' && *s <= '9') {
			if (v > (UINT64_C(1) << 63) / 10)
				return dur_fail("time: invalid duration \"%s\"", orig, NULL, msg,
						msg_len);
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > UINT64_C(1) << 63)
				return dur_fail("time: invalid duration \"%s\"", orig, NULL, msg,
						msg_len);
			s++;
		}
		pre = s != start;
		if (*s == '.') {
			s++;
			start = s;
			while (*s >= '0' && *s <= '9') {
				if (!overflow) {
					if (f > (UINT64_C(1) << 63) / 10) {
						overflow = true;
					} else {
						f = f * 10 + (uint64_t)(*s - '0');
						scale *= 10;
					}
				}
				s++;
			}
			post = s != start;
		}
		if (!pre && !post)
			return dur_fail("time: invalid duration \"%s\"", orig, NULL, msg, msg_len);
		start = s;
		while (*s && *s != '.' && !(*s >= '0' && *s <= '9'))
			s++;
		ul = (size_t)(s - start);
		if (ul == 0)
			return dur_fail("time: missing unit in duration \"%s\"", orig, NULL, msg,
					msg_len);
		if (ul >= sizeof(uname))
			ul = sizeof(uname) - 1;
		memcpy(uname, start, ul);
		uname[ul] = '\0';
		for (size_t i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++)
			if (strcmp(uname, dur_units[i].name) == 0)
				unit = dur_units[i].ns;
		if (!unit)
			return dur_fail("time: unknown unit \"%s\" in duration \"%s\"", orig, uname,
					msg, msg_len);
		if (v > (UINT64_C(1) << 63) / unit)
			return dur_fail("time: invalid duration \"%s\"", orig, NULL, msg, msg_len);
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((long double)f * ((long double)unit / (long double)scale));
			if (v > UINT64_C(1) << 63)
				return dur_fail("time: invalid duration \"%s\"", orig, NULL, msg,
						msg_len);
		}
		d += v;
		if (d > UINT64_C(1) << 63)
			return dur_fail("time: invalid duration \"%s\"", orig, NULL, msg, msg_len);
	}
	if (neg) {
		*out = d == UINT64_C(1) << 63 ? INT64_MIN : -(int64_t)d;
		return 0;
	}
	if (d > INT64_MAX)
		return dur_fail("time: invalid duration \"%s\"", orig, NULL, msg, msg_len);
	*out = (int64_t)d;
	return 0;
}

/* Writes v's fraction of prec digits (trailing zeros dropped) before w and
 * returns the new start; *v becomes the integer part. */
static char *fmt_frac(char *w, uint64_t *v, int prec)
{
	bool print = false;

	for (int i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(*v % 10);

		print = print || digit != 0;
		if (print)
			*--w = (char)('0' + digit);
		*v /= 10;
	}
	if (print)
		*--w = '.';
	return w;
}

static char *fmt_int(char *w, uint64_t v)
{
	if (v == 0)
		*--w = '0';
	while (v > 0) {
		*--w = (char)('0' + v % 10);
		v /= 10;
	}
	return w;
}

char *duration_format(int64_t d, char *buf, size_t len)
{
	char tmp[40], *w = tmp + sizeof(tmp);
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

	*--w = '\0';
	if (u < 1000000000) {
		int prec = 0;

		if (u == 0) {
			snprintf(buf, len, "0s");
			return buf;
		}
		*--w = 's';
		if (u < 1000) {
			*--w = 'n';
		} else if (u < 1000000) {
			prec = 3;
			w -= 2;
			memcpy(w, "\xc2\xb5", 2);
		} else {
			prec = 6;
			*--w = 'm';
		}
		w = fmt_frac(w, &u, prec);
		w = fmt_int(w, u);
	} else {
		*--w = 's';
		w = fmt_frac(w, &u, 9);
		w = fmt_int(w, u % 60);
		u /= 60;
		if (u > 0) {
			*--w = 'm';
			w = fmt_int(w, u % 60);
			u /= 60;
			if (u > 0) {
				*--w = 'h';
				w = fmt_int(w, u);
			}
		}
	}
	if (d < 0)
		*--w = '-';
	snprintf(buf, len, "%s", w);
	return buf;
}
