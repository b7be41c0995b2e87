/* lib/input: files, directories, stdin, documents, arrays, typed lists. */
#include "lib/input.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void write_file(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static const char *name_at(const json_t *list, size_t i)
{
	return json_string_value(
	    json_object_get(json_object_get(json_array_get(list, i), "metadata"), "name"));
}

#define PEER(n) "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: " n "\n"

static void test_parse(void)
{
	json_t *r;
	struct err e;
	const char *list =
	    "apiVersion: projectcalico.org/v3\nkind: BGPPeerList\nmetadata: {}\nitems:\n"
	    "- apiVersion: projectcalico.org/v3\n  kind: BGPPeer\n  metadata:\n    name: a\n"
	    "- metadata:\n    name: b\n";
	const char *arr = "[{\"kind\": \"Node\", \"metadata\": {\"name\": \"n1\"}},"
			  " {\"kind\": \"Node\", \"metadata\": {\"name\": \"n2\"}}]";
	const char *multi = PEER("one") "---\n" PEER("two") "---\n\n---\n"
							    "- "
							    "{kind: X, metadata: {name: three}}\n";

	CHECK_INT(input_parse(list, strlen(list), "l", &r, &e), 0);
	CHECK_INT(json_array_size(r), 2);
	CHECK_STR(name_at(r, 1), "b");
	/* An item without a kind takes it from the list. */
	CHECK_STR(json_string_value(json_object_get(json_array_get(r, 1), "kind")), "BGPPeer");
	json_decref(r);

	CHECK_INT(input_parse(arr, strlen(arr), "a", &r, &e), 0);
	CHECK_INT(json_array_size(r), 2);
	CHECK_STR(name_at(r, 0), "n1");
	json_decref(r);

	CHECK_INT(input_parse(multi, strlen(multi), "m", &r, &e), 0);
	CHECK_INT(json_array_size(r), 3);
	CHECK_STR(name_at(r, 2), "three");
	json_decref(r);

	/* The generic Kubernetes List is not flattened: the kind check
	 * (the model's) rejects it. */
	CHECK_INT(input_parse("apiVersion: v1\nkind: List\nitems: []\n", 35, "k", &r, &e), 0);
	CHECK_INT(json_array_size(r), 1);
	json_decref(r);

	/* Only known kinds' lists are lists; FooList is an unknown kind. */
	CHECK_INT(input_parse("apiVersion: projectcalico.org/v3\nkind: FooList\nitems: [{}]\n", 59,
			      "f", &r, &e),
		  0);
	CHECK_INT(json_array_size(r), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(r, 0), "kind")), "FooList");
	json_decref(r);

	/* One document over 10 MB is refused as calicoctl's scanner does. */
	{
		size_t n = 10 * 1024 * 1024 + 16;
		char *big = malloc(n + 1);

		if (big) {
			memset(big, '#', n);
			big[n] = '\0';
			CHECK_INT(input_parse(big, n, "big", &r, &e), -EFBIG);
			CHECK_STR(e.msg, "bufio.Scanner: token too long");
			free(big);
		}
	}

	CHECK_INT(input_parse("just a string\n", 14, "s", &r, &e), -EINVAL);
	CHECK_STR(
	    e.msg,
	    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go "
	    "value of type []unstructured.Unstructured");
	CHECK_INT(input_parse("apiVersion: projectcalico.org/v3\nkind: BGPPeerList\nbogus: 1\n", 58,
			      "s", &r, &e),
		  -EINVAL);
	CHECK_STR(e.msg, "field in document is not recognized or is in the wrong location: bogus");
}

static void test_files(void)
{
	char path[512];
	json_t *r;
	struct err e;

	write_file("b.yaml", PEER("b"));
	write_file("a.YML", PEER("a"));
	write_file("c.json", "{\"kind\": \"BGPPeer\", \"metadata\": {\"name\": \"c\"}}");
	write_file("notes.txt", "not a manifest: [");
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0755);
	write_file("sub/d.yaml", PEER("d"));
	write_file("ba.yaml", PEER("ba"));

	/* Lexical order, extension case-insensitive, other files ignored. */
	CHECK_INT(input_read(dir, false, &r, &e), 0);
	CHECK_INT(json_array_size(r), 4);
	CHECK_STR(name_at(r, 0), "a");
	CHECK_STR(name_at(r, 1), "b");
	CHECK_STR(name_at(r, 2), "ba");
	CHECK_STR(name_at(r, 3), "c");
	json_decref(r);

	/* -R visits sub-directories where they sort. */
	CHECK_INT(input_read(dir, true, &r, &e), 0);
	CHECK_INT(json_array_size(r), 5);
	CHECK_STR(name_at(r, 4), "d");
	json_decref(r);

	snprintf(path, sizeof(path), "%s/b.yaml", dir);
	CHECK_INT(input_read(path, false, &r, &e), 0);
	CHECK_INT(json_array_size(r), 1);
	json_decref(r);

	CHECK_INT(input_read("no-such-file.yaml", false, &r, &e), -ENOENT);
	CHECK_STR(e.msg, "open no-such-file.yaml: no such file or directory");

	/* Empty inputs. */
	write_file("sub/empty.yaml", "# nothing here\n");
	snprintf(path, sizeof(path), "%s/sub/empty.yaml", dir);
	CHECK_INT(input_read(path, false, &r, &e), -ENODATA);
	{
		char want[600];

		snprintf(want, sizeof(want), "no resources specified in file %s", path);
		CHECK_STR(e.msg, want);
	}
	CHECK_INT(input_read_flags(path, INPUT_SKIP_EMPTY, &r, &e), 0);
	CHECK_INT(json_array_size(r), 0);
	json_decref(r);
	snprintf(path, sizeof(path), "%s/sub2", dir);
	mkdir(path, 0755);
	CHECK_INT(input_read(path, false, &r, &e), -ENODATA);
	{
		char want[600];

		snprintf(want, sizeof(want), "no resources specified in directory %s", path);
		CHECK_STR(e.msg, want);
	}
	/* An empty file inside a directory fails the whole read... */
	snprintf(path, sizeof(path), "%s/sub", dir);
	CHECK_INT(input_read(path, false, &r, &e), -ENODATA);
	/* ...unless empty files are skipped. */
	CHECK_INT(input_read_flags(path, INPUT_SKIP_EMPTY, &r, &e), 0);
	CHECK_INT(json_array_size(r), 1);
	json_decref(r);

	/* A syntax error anywhere fails the whole read. */
	write_file("sub/z.yaml", PEER("z") "spec: [\n");
	CHECK_INT(input_read_flags(path, INPUT_SKIP_EMPTY, &r, &e), -EINVAL);
	CHECK(strncmp(e.msg, "error converting YAML to JSON: yaml: line ", 42) == 0);
}

static void test_stdin(void)
{
	char path[512];
	json_t *r;
	struct err e;
	int fd, saved = dup(STDIN_FILENO);

	write_file("stdin.yaml", "");
	snprintf(path, sizeof(path), "%s/stdin.yaml", dir);
	fd = open(path, O_RDONLY);
	dup2(fd, STDIN_FILENO);
	close(fd);
	CHECK_INT(input_read("-", false, &r, &e), -ENODATA);
	CHECK_STR(e.msg, "no resources specified in file -");
	dup2(saved, STDIN_FILENO);
	close(saved);

	write_file("stdin.yaml", PEER("from-stdin"));
	saved = dup(STDIN_FILENO);
	fd = open(path, O_RDONLY);
	dup2(fd, STDIN_FILENO);
	close(fd);
	CHECK_INT(input_read("-", false, &r, &e), 0);
	CHECK_STR(name_at(r, 0), "from-stdin");
	json_decref(r);
	dup2(saved, STDIN_FILENO);
	close(saved);
}

int main(void)
{
	char cmd[300];

	snprintf(dir, sizeof(dir), "/tmp/test-input-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_parse();
	test_files();
	test_stdin();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
	return check_done();
}
