/* A private single-member etcd for the etcd store tests: /usr/bin/etcd
 * (Debian etcd-server) on free high loopback ports (never 2379/2380, where a
 * packaged etcd may already run), its data in a temporary directory (on
 * tmpfs when there is one), killed
 * by PID at the end. Optionally with TLS (a CA, a server certificate for
 * 127.0.0.1 and a client certificate made with openssl; client certificates
 * required). */
#ifndef TEST_STORE_ETCD_FIXTURE_H
#define TEST_STORE_ETCD_FIXTURE_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define ETCD_BIN "/usr/bin/etcd"

struct etcd_fixture {
	char dir[64];
	int client_port, peer_port;
	bool tls;
	pid_t pid;
	char endpoint[128];
	char ca[128], cert[128], key[128]; /* client side, TLS only */
};

/* A port nobody listens on right now (the kernel's pick for port 0). */
static inline int fx_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static inline int fx_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int fx_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* CA, server cert (SAN IP 127.0.0.1) and client cert, all in dir. */
static inline int fx_make_certs(const char *dir)
{
	return fx_sh("cd %s && "
		     "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
		     "-days 2 -subj /CN=test-ca >/dev/null 2>&1 && "
		     "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
		     "-subj /CN=127.0.0.1 >/dev/null 2>&1 && "
		     "printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\n'"
		     " > server.ext && "
		     "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		     "-out server.pem -days 2 -extfile server.ext >/dev/null 2>&1 && "
		     "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
		     "-subj /CN=root >/dev/null 2>&1 && "
		     "printf 'extendedKeyUsage=clientAuth\\n' > client.ext && "
		     "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		     "-out client.pem -days 2 -extfile client.ext >/dev/null 2>&1",
		     dir);
}

static inline void fx_spawn(struct etcd_fixture *f)
{
	char curls[128], purls[128], cluster[160], data[96], log[96], c1[128], c2[128], c3[128];
	const char *scheme = f->tls ? "https" : "http";
	pid_t pid;

	snprintf(curls, sizeof(curls), "%s://127.0.0.1:%d", scheme, f->client_port);
	snprintf(purls, sizeof(purls), "http://127.0.0.1:%d", f->peer_port);
	snprintf(cluster, sizeof(cluster), "t=%s", purls);
	snprintf(data, sizeof(data), "%s/data", f->dir);
	snprintf(log, sizeof(log), "%s/etcd.log", f->dir);
	snprintf(c1, sizeof(c1), "%s/server.pem", f->dir);
	snprintf(c2, sizeof(c2), "%s/server.key", f->dir);
	snprintf(c3, sizeof(c3), "%s/ca.pem", f->dir);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* Dies with the test even when the test crashes. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (f->tls)
			execl(ETCD_BIN, ETCD_BIN, "--name", "t", "--data-dir", data,
			      "--listen-client-urls", curls, "--advertise-client-urls", curls,
			      "--listen-peer-urls", purls, "--initial-advertise-peer-urls", purls,
			      "--initial-cluster", cluster, "--cert-file", c1, "--key-file", c2,
			      "--trusted-ca-file", c3, "--client-cert-auth", (char *)NULL);
		else
			execl(ETCD_BIN, ETCD_BIN, "--name", "t", "--data-dir", data,
			      "--listen-client-urls", curls, "--advertise-client-urls", curls,
			      "--listen-peer-urls", purls, "--initial-advertise-peer-urls", purls,
			      "--initial-cluster", cluster, (char *)NULL);
		_exit(127);
	}
	f->pid = pid;
}

static inline struct store_config fx_config(const struct etcd_fixture *f);

/* Waits until the member answers a read through the store (up to 20 s). */
static inline bool fx_wait_ready(struct etcd_fixture *f)
{
	struct store_config cfg = fx_config(f);

	for (int i = 0; i < 200; i++) {
		struct store *st = NULL;
		struct err e;
		int64_t rev = -1;

		if (store_open(&cfg, &st, &e) == 0)
			rev = store_revision(st);
		store_close(st);
		/* Refusing an anonymous read (auth on) is answering too. */
		if (rev >= 0 || rev == -EPERM)
			return true;
		if (waitpid(f->pid, NULL, WNOHANG) == f->pid) {
			f->pid = 0;
			return false;
		}
		usleep(100 * 1000);
	}
	return false;
}

/* Starts a member; false (with the reason printed as a TAP comment) when
 * it does not come up. */
static inline bool fx_start(struct etcd_fixture *f, bool tls)
{
	struct statvfs vfs;

	memset(f, 0, sizeof(*f));
	/* On tmpfs when there is room: etcd fsyncs every commit, and a busy
	 * disk would make the latency tests measure the disk. etcd
	 * preallocates 64 MiB of WAL, more than a container's default
	 * /dev/shm holds when several tests run at once. */
	snprintf(f->dir, sizeof(f->dir), "%s/test-etcd-XXXXXX",
		 access("/dev/shm", W_OK) == 0 && statvfs("/dev/shm", &vfs) == 0 &&
			 (unsigned long long)vfs.f_bavail * vfs.f_frsize >= (1ull << 30)
		     ? "/dev/shm"
		     : "/tmp");
	if (!mkdtemp(f->dir))
		return false;
	f->tls = tls;
	f->client_port = fx_free_port();
	f->peer_port = fx_free_port();
	while (f->peer_port == f->client_port)
		f->peer_port = fx_free_port();
	snprintf(f->endpoint, sizeof(f->endpoint), "%s://127.0.0.1:%d", tls ? "https" : "http",
		 f->client_port);
	snprintf(f->ca, sizeof(f->ca), "%s/ca.pem", f->dir);
	snprintf(f->cert, sizeof(f->cert), "%s/client.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/client.key", f->dir);
	if (access(ETCD_BIN, X_OK) < 0) {
		printf("# %s is missing: install etcd-server (scripts/deps)\n", ETCD_BIN);
		return false;
	}
	if (tls && fx_make_certs(f->dir) != 0) {
		printf("# openssl could not make the test certificates\n");
		return false;
	}
	fx_spawn(f);
	if (!fx_wait_ready(f)) {
		printf("# etcd did not come up; its log:\n");
		fx_sh("sed 's/^/#   /' %s/etcd.log | tail -20", f->dir);
		return false;
	}
	return true;
}

/* Kills the member (SIGKILL: as a crash) and waits for it. */
static inline void fx_kill(struct etcd_fixture *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
	}
	f->pid = 0;
}

/* Starts the member again on the same ports and data. */
static inline bool fx_restart(struct etcd_fixture *f)
{
	fx_spawn(f);
	return fx_wait_ready(f);
}

static inline void fx_stop(struct etcd_fixture *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = 0;
	}
	if (f->dir[0])
		fx_sh("rm -rf %s", f->dir);
}

/* etcdctl against the member, for setup the store API does not do
 * (users, compaction). */
static inline int fx_etcdctl(const struct etcd_fixture *f, const char *args)
{
	if (f->tls)
		return fx_sh("ETCDCTL_API=3 etcdctl --endpoints=%s --cacert=%s --cert=%s --key=%s "
			     "%s >/dev/null 2>&1",
			     f->endpoint, f->ca, f->cert, f->key, args);
	return fx_sh("ETCDCTL_API=3 etcdctl --endpoints=%s %s >/dev/null 2>&1", f->endpoint, args);
}

/* A config for the member (strings are static; do not free). */
static inline struct store_config fx_config(const struct etcd_fixture *f)
{
	struct store_config cfg = {0};

	cfg.backend = STORE_BACKEND_ETCDV3;
	cfg.datastore_type = (char *)"etcdv3";
	cfg.etcd_endpoints = (char *)f->endpoint;
	if (f->tls) {
		cfg.etcd_ca_cert_file = (char *)f->ca;
		cfg.etcd_cert_file = (char *)f->cert;
		cfg.etcd_key_file = (char *)f->key;
	}
	return cfg;
}

#endif
