/* go-yaml v2 resolve.go, restated: the first character picks a strategy
 * (table lookup for words, number parsing for digits and signs, float
 * parsing for a leading dot); anything that does not parse is a string. */
#include "lib/yamlscalar.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *word;
	enum yscalar_kind kind;
	int value; /* bool value, or float: 1 = +inf, -1 = -inf, 0 = nan */
} words[] = {
    {"y", YSCALAR_BOOL, 1},	  {"Y", YSCALAR_BOOL, 1},	{"yes", YSCALAR_BOOL, 1},
    {"Yes", YSCALAR_BOOL, 1},	  {"YES", YSCALAR_BOOL, 1},	{"true", YSCALAR_BOOL, 1},
    {"True", YSCALAR_BOOL, 1},	  {"TRUE", YSCALAR_BOOL, 1},	{"on", YSCALAR_BOOL, 1},
    {"On", YSCALAR_BOOL, 1},	  {"ON", YSCALAR_BOOL, 1},	{"n", YSCALAR_BOOL, 0},
    {"N", YSCALAR_BOOL, 0},	  {"no", YSCALAR_BOOL, 0},	{"No", YSCALAR_BOOL, 0},
    {"NO", YSCALAR_BOOL, 0},	  {"false", YSCALAR_BOOL, 0},	{"False", YSCALAR_BOOL, 0},
    {"FALSE", YSCALAR_BOOL, 0},	  {"off", YSCALAR_BOOL, 0},	{"Off", YSCALAR_BOOL, 0},
    {"OFF", YSCALAR_BOOL, 0},	  {"", YSCALAR_NULL, 0},	{"~", YSCALAR_NULL, 0},
    {"null", YSCALAR_NULL, 0},	  {"Null", YSCALAR_NULL, 0},	{"NULL", YSCALAR_NULL, 0},
    {".nan", YSCALAR_FLOAT, 0},	  {".NaN", YSCALAR_FLOAT, 0},	{".NAN", YSCALAR_FLOAT, 0},
    {".inf", YSCALAR_FLOAT, 1},	  {".Inf", YSCALAR_FLOAT, 1},	{".INF", YSCALAR_FLOAT, 1},
    {"+.inf", YSCALAR_FLOAT, 1},  {"+.Inf", YSCALAR_FLOAT, 1},	{"+.INF", YSCALAR_FLOAT, 1},
    {"-.inf", YSCALAR_FLOAT, -1}, {"-.Inf", YSCALAR_FLOAT, -1}, {"-.INF", YSCALAR_FLOAT, -1},
    {"<<", YSCALAR_MERGE, 0},
};

/* The strategy for a first character: 'M' words only, 'D' digits,
 * 'S' signs, '.' dot; 0 means always a string. */
static char hint_of(const char *s, size_t len)
{
	if (len == 0)
		return 'N';
	switch (s[0]) {
	case '+':
	case '-':
		return 'S';
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		return 'D';
	case 'y':
	case 'Y':
	case 'n':
	case 'N':
	case 't':
	case 'T':
	case 'f':
	case 'F':
	case 'o':
	case 'O':
	case '~':
	case '<':
		return 'M';
	case '.':
		return '.';
	default:
		return 0;
	}
}

static int word_index(const char *s, size_t len)
{
	/* No word is longer than five characters: most scalars stop here. */
	if (len > 5)
		return -1;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		/* s holds no NUL, so equal prefixes mean word[len] exists. */
		if (strncmp(words[i].word, s, len) == 0 && words[i].word[len] == '\0')
			return (int)i;
	return -1;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	return 99;
}

/* Go's strconv.ParseUint(s, 0, 64) on an unsigned string. */
static bool parse_go_uint(const char *s, uint64_t *out)
{
	size_t len = strlen(s);
	int base = 10;
	uint64_t n = 0;

	if (len == 0)
		return false;
	if (s[0] == '0') {
		char c = (char)tolower((unsigned char)(len > 1 ? s[1] : 0));

		if (len >= 3 && c == 'b') {
			base = 2;
			s += 2;
		} else if (len >= 3 && c == 'o') {
			base = 8;
			s += 2;
		} else if (len >= 3 && c == 'x') {
			base = 16;
			s += 2;
		} else {
			base = 8;
			s += 1;
		}
	}
	for (; *s; s++) {
		int d = digit_value(*s);

		if (d >= base)
			return false;
		if (n > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		n = n * (uint64_t)base + (uint64_t)d;
	}
	*out = n;
	return true;
}

/* Go's strconv.ParseInt(s, 0, 64). */
static bool parse_go_int(const char *s, int64_t *out)
{
	bool neg = false;
	uint64_t u;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!parse_go_uint(s, &u))
		return false;
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return false;
		*out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)u;
	}
	return true;
}

static size_t span_digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool is_yaml_style_float(const char *s)
{
	size_t n;

	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		if (!(n = span_digits(s + 1)))
			return false;
		s += 1 + n;
	} else {
		if (!(n = span_digits(s)))
			return false;
		s += n;
		if (*s == '.')
			s += 1 + span_digits(s + 1);
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(n = span_digits(s)))
			return false;
		s += n;
	}
	return *s == '\0';
}

/* strconv.ParseFloat on a syntactically valid decimal: fails on overflow. */
static bool parse_float(const char *s, double *out)
{
	*out = strtod(s, NULL);
	return !isinf(*out);
}

static bool digits_at(const char **p, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (n < max && isdigit((unsigned char)(*p)[n])) {
		v = v * 10 + (*p)[n] - '0';
		n++;
	}
	if (n < min)
		return false;
	*p += n;
	*out = v;
	return true;
}

static int days_in(int month, int year)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* go-yaml's parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00"
 * (also with 't'), "2006-1-2 15:4:5.999999999" or "2006-1-2". */
static bool is_timestamp(const char *s)
{
	const char *p = s;
	int year, month, day, h, m, sec;
	char sep;

	if (!digits_at(&p, 4, 4, &year) || *p++ != '-')
		return false;
	if (!digits_at(&p, 1, 2, &month) || month < 1 || month > 12 || *p++ != '-')
		return false;
	if (!digits_at(&p, 1, 2, &day) || day < 1 || day > days_in(month, year))
		return false;
	if (*p == '\0')
		return true;
	sep = *p++;
	if (sep != 'T' && sep != 't' && sep != ' ')
		return false;
	if (!digits_at(&p, 1, 2, &h) || h > 23 || *p++ != ':')
		return false;
	if (!digits_at(&p, 1, 2, &m) || m > 59 || *p++ != ':')
		return false;
	if (!digits_at(&p, 1, 2, &sec) || sec > 59)
		return false;
	if ((*p == '.' || *p == ',') && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (sep == ' ')
		return *p == '\0';
	if (*p == 'Z')
		return p[1] == '\0';
	if (*p == '+' || *p == '-') {
		int zh, zm;

		p++;
		if (!digits_at(&p, 2, 2, &zh) || *p++ != ':' || !digits_at(&p, 2, 2, &zm))
			return false;
		return *p == '\0' && zh <= 24 && zm <= 60;
	}
	return false;
}

struct resolved {
	enum yscalar_kind kind;
	bool b;
	bool is_uint;
	int64_t i;
	uint64_t u;
	double f;
};

static void resolve(const char *s, size_t len, struct resolved *r)
{
	char hint = hint_of(s, len);
	char small[64], *plain;
	int w;

	memset(r, 0, sizeof(*r));
	r->kind = YSCALAR_STR;
	if (!hint || memchr(s, '\0', len))
		return;
	if ((w = word_index(s, len)) >= 0) {
		r->kind = words[w].kind;
		r->b = words[w].value;
		if (r->kind == YSCALAR_FLOAT)
			r->f = words[w].value > 0 ? INFINITY : words[w].value < 0 ? -INFINITY : NAN;
		return;
	}
	if (hint == 'M' || hint == 'N')
		return;
	plain = len < sizeof(small) ? small : malloc(len + 1);
	if (!plain)
		return;
	if (hint == '.') {
		memcpy(plain, s, len);
		plain[len] = '\0';
		if (is_yaml_style_float(plain) && parse_float(plain, &r->f))
			r->kind = YSCALAR_FLOAT;
		if (plain != small)
			free(plain);
		return;
	}
	{
		size_t n = 0;

		memcpy(plain, s, len);
		plain[len] = '\0';
		if (is_timestamp(plain)) {
			r->kind = YSCALAR_TIMESTAMP;
			if (plain != small)
				free(plain);
			return;
		}
		/* go-yaml drops underscores before parsing numbers. */
		for (size_t i = 0; i < len; i++)
			if (s[i] != '_')
				plain[n++] = s[i];
		plain[n] = '\0';
	}
	if (parse_go_int(plain, &r->i)) {
		r->kind = YSCALAR_INT;
	} else if (plain[0] != '+' && plain[0] != '-' && parse_go_uint(plain, &r->u)) {
		r->kind = YSCALAR_INT;
		r->is_uint = true;
	} else if (is_yaml_style_float(plain) && parse_float(plain, &r->f)) {
		r->kind = YSCALAR_FLOAT;
	}
	if (plain != small)
		free(plain);
}

enum yscalar_kind yscalar_resolve(const char *s, size_t len)
{
	struct resolved r;

	resolve(s, len, &r);
	return r.kind;
}

bool yscalar_resolvable_tag(const char *tag)
{
	static const char *const tags[] = {
	    "tag:yaml.org,2002:int",  "tag:yaml.org,2002:float",     "tag:yaml.org,2002:bool",
	    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
	};

	if (!tag || !*tag)
		return true;
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strcmp(tag, tags[i]) == 0)
			return true;
	return false;
}

static json_t *number_json(double f)
{
	/* Go prints integral float64 values below 1e21 without a fraction,
	 * so after sigs.k8s.io/yaml's JSON step they are integers. */
	if (f == floor(f) && fabs(f) < 9.2233720368547758e18)
		return json_integer((json_int_t)f);
	return json_real(f);
}

int yscalar_to_json(const char *s, size_t len, json_t **out)
{
	struct resolved r;

	resolve(s, len, &r);
	switch (r.kind) {
	case YSCALAR_NULL:
		*out = json_null();
		break;
	case YSCALAR_BOOL:
		*out = json_boolean(r.b);
		break;
	case YSCALAR_INT:
		*out = r.is_uint ? json_real((double)r.u) : json_integer(r.i);
		break;
	case YSCALAR_FLOAT:
		if (isnan(r.f) || isinf(r.f))
			return -ERANGE;
		*out = number_json(r.f);
		break;
	default:
		*out = json_stringn(s, len);
		break;
	}
	return *out ? 0 : -ENOMEM;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
bool yscalar_is_base60_float(const char *s)
{
	int groups = 0;

	if (*s == '+' || *s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s) || *s == '_')
		s++;
	while (*s == ':') {
		s++;
		if (*s >= '0' && *s <= '5' && isdigit((unsigned char)s[1]))
			s += 2;
		else if (isdigit((unsigned char)*s))
			s++;
		else
			return false;
		groups++;
	}
	if (!groups)
		return false;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s) || *s == '_'; s++)
			;
	return *s == '\0';
}

char *yscalar_format_number(double v, char buf[GO_FLOAT_MAX])
{
	go_format_float(v, 'g', buf);
	if (strcmp(buf, "+Inf") == 0)
		strcpy(buf, ".inf");
	else if (strcmp(buf, "-Inf") == 0)
		strcpy(buf, "-.inf");
	else if (strcmp(buf, "NaN") == 0)
		strcpy(buf, ".nan");
	return buf;
}
