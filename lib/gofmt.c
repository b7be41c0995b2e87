#include "lib/gofmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int go_float_digits(double v, char digits[32], int *point)
{
	char tmp[64];
	int prec, n = 0;

	/* The shortest "%.*e" that reads back as v has exactly the digits
	 * Go's shortest formatting picks (both round to nearest). */
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, fabs(v));
		if (strtod(tmp, NULL) == fabs(v))
			break;
	}
	if (prec == 17)
		snprintf(tmp, sizeof(tmp), "%.*e", 16, fabs(v));
	for (const char *p = tmp; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*point = atoi(strchr(tmp, 'e') + 1) + 1;
	return n;
}

static void fmt_e(char *out, const char *sign, const char *d, int nd, int point)
{
	int exp = point - 1;
	char *p = out + sprintf(out, "%s%c", sign, d[0]);

	if (nd > 1)
		p += sprintf(p, ".%s", d + 1);
	sprintf(p, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
}

static void fmt_f(char *out, const char *sign, const char *d, int nd, int point)
{
	char *p = out + sprintf(out, "%s", sign);

	if (point <= 0) {
		p += sprintf(p, "0.");
		for (int i = 0; i < -point; i++)
			*p++ = '0';
		sprintf(p, "%s", d);
		return;
	}
	for (int i = 0; i < point; i++)
		*p++ = i < nd ? d[i] : '0';
	if (nd > point)
		p += sprintf(p, ".%s", d + point);
	*p = '\0';
}

char *go_format_float(double v, char fmt, char buf[GO_FLOAT_MAX])
{
	char d[32];
	const char *sign = signbit(v) ? "-" : "";
	int nd, point;

	if (isnan(v))
		return strcpy(buf, "NaN");
	if (isinf(v))
		return strcpy(buf, v > 0 ? "+Inf" : "-Inf");
	if (v == 0) {
		nd = 1;
		d[0] = '0';
		d[1] = '\0';
		point = 1;
	} else {
		nd = go_float_digits(v, d, &point);
	}
	if (fmt == 'g') {
		/* Go: %e when exp < -4 || exp >= eprec; eprec is 6 for the
		 * shortest formatting. */
		int exp = point - 1, eprec = 6;

		if (v == 0)
			exp = 0;
		if (exp < -4 || exp >= eprec)
			fmt = 'e';
		else
			fmt = 'f';
	}
	if (fmt == 'e')
		fmt_e(buf, sign, d, nd, v == 0 ? 1 : point);
	else
		fmt_f(buf, sign, d, nd, point);
	return buf;
}

char *go_json_float(double v, char buf[GO_FLOAT_MAX])
{
	double a = fabs(v);
	size_t n;

	if (a != 0 && (a < 1e-6 || a >= 1e21)) {
		go_format_float(v, 'e', buf);
		/* encoding/json trims "e-07" to "e-7" but keeps "e+21". */
		n = strlen(buf);
		if (n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
			buf[n - 2] = buf[n - 1];
			buf[n - 1] = '\0';
		}
		return buf;
	}
	return go_format_float(v, 'f', buf);
}

const char *go_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	default:
		return "null";
	}
}
