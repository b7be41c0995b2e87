/* Levelled logging to stderr (or a file chosen by the daemon). The levels
 * and their names are calicoctl's (-l/--log-level). */
#ifndef CALICO_LOG_H
#define CALICO_LOG_H

enum log_level {
	LOG_PANIC,
	LOG_FATAL,
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_LEVEL_COUNT
};

extern enum log_level log_threshold;

/* Returns the level for a name ("warn", "debug", ...) or -1. */
int log_level_parse(const char *name);
const char *log_level_name(enum log_level level);

/* Redirects log output; NULL restores stderr. Returns 0 or -errno. */
int log_open_file(const char *path);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_threshold >= LOG_DEBUG)                                                    \
			log_msg(LOG_DEBUG, __VA_ARGS__);                                           \
	} while (0)

#endif
