#include "lib/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum log_level log_threshold = LOG_PANIC;
static FILE *log_out;

static const char *const level_names[LOG_LEVEL_COUNT] = {
	[LOG_PANIC] = "panic", [LOG_FATAL] = "fatal", [LOG_ERROR] = "error",
	[LOG_WARN] = "warn",   [LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};
_Static_assert(sizeof(level_names) / sizeof(level_names[0]) == LOG_LEVEL_COUNT, "level names");

int log_level_parse(const char *name)
{
	for (int i = 0; i < LOG_LEVEL_COUNT; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return level < LOG_LEVEL_COUNT ? level_names[level] : "unknown";
}

int log_open_file(const char *path)
{
	FILE *f;

	if (log_out && log_out != stderr)
		fclose(log_out);
	log_out = NULL;
	if (!path)
		return 0;
	f = fopen(path, "a");
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	log_out = f;
	return 0;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	FILE *out = log_out ? log_out : stderr;
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level > log_threshold)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "%s.%03ld [%s] ", stamp, ts.tv_nsec / 1000000, log_level_name(level));
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}
