/* Calico selector language: a tokenizer with Calico's context rules
 * (function words only where an expression starts, operator words only right
 * after a label), a recursive-descent parser for the grammar of
 * resources.md §3.2, an evaluator and the canonical printer of §3.5. */
#include "lib/selector.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEL_LABEL_MAX 512

/* ---- tokens ---- */

enum tok_kind {
	TOK_EOF,
	TOK_LABEL,
	TOK_STRING,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_COMMA,
	TOK_EQ,
	TOK_NE,
	TOK_IN,
	TOK_NOT_IN,
	TOK_CONTAINS,
	TOK_STARTS_WITH,
	TOK_ENDS_WITH,
	TOK_NOT,
	TOK_AND,
	TOK_OR,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_ALL,
	TOK_GLOBAL,
	TOK_HAS,
};

static const char *const tok_names[] = {
    [TOK_EOF] = "EOF",
    [TOK_LABEL] = "label",
    [TOK_STRING] = "string",
    [TOK_LBRACE] = "{",
    [TOK_RBRACE] = "}",
    [TOK_COMMA] = ",",
    [TOK_EQ] = "==",
    [TOK_NE] = "!=",
    [TOK_IN] = "in",
    [TOK_NOT_IN] = "not in",
    [TOK_CONTAINS] = "contains",
    [TOK_STARTS_WITH] = "starts with",
    [TOK_ENDS_WITH] = "ends with",
    [TOK_NOT] = "!",
    [TOK_AND] = "&&",
    [TOK_OR] = "||",
    [TOK_LPAREN] = "(",
    [TOK_RPAREN] = ")",
    [TOK_ALL] = "all()",
    [TOK_GLOBAL] = "global()",
    [TOK_HAS] = "has()",
};
_Static_assert(sizeof(tok_names) / sizeof(tok_names[0]) == TOK_HAS + 1, "token names");

struct token {
	enum tok_kind kind;
	char *text; /* label, string value or has() label; malloc'd */
};

struct lexer {
	const char *p;
	struct token *toks;
	size_t n, cap;
};

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '/' || c == '-';
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_ws(const char *p)
{
	while (is_ws(*p))
		p++;
	return p;
}

static int lex_push(struct lexer *lx, enum tok_kind kind, const char *text, size_t len)
{
	if (lx->n == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 16;
		struct token *t = realloc(lx->toks, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		lx->toks = t;
		lx->cap = cap;
	}
	lx->toks[lx->n].kind = kind;
	lx->toks[lx->n].text = NULL;
	if (text) {
		lx->toks[lx->n].text = strndup(text, len);
		if (!lx->toks[lx->n].text)
			return -ENOMEM;
	}
	lx->n++;
	return 0;
}

static void lex_free(struct lexer *lx)
{
	for (size_t i = 0; i < lx->n; i++)
		free(lx->toks[i].text);
	free(lx->toks);
}

/* Matches word at p; returns the end, or NULL. */
static const char *match_word(const char *p, const char *word)
{
	size_t n = strlen(word);

	return strncmp(p, word, n) == 0 ? p + n : NULL;
}

/* An operator word must end at end of input or a non-identifier char. */
static const char *word_end(const char *p)
{
	return p && !is_ident(*p) ? p : NULL;
}

/* Two-word operators ("not in", "starts with") allow any spaces between. */
static const char *match_two(const char *p, const char *w1, const char *w2)
{
	p = match_word(p, w1);
	if (!p)
		return NULL;
	return word_end(match_word(skip_ws(p), w2));
}

/* After a label: one of the operator words. */
static int lex_operator(struct lexer *lx, const char *label, struct err *e)
{
	static const struct {
		const char *w1, *w2;
		enum tok_kind kind;
	} ops[] = {
	    {"not", "in", TOK_NOT_IN},	      {"in", NULL, TOK_IN},
	    {"contains", NULL, TOK_CONTAINS}, {"starts", "with", TOK_STARTS_WITH},
	    {"ends", "with", TOK_ENDS_WITH},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const char *end = ops[i].w2 ? match_two(lx->p, ops[i].w1, ops[i].w2)
					    : word_end(match_word(lx->p, ops[i].w1));

		if (end) {
			lx->p = end;
			return lex_push(lx, ops[i].kind, NULL, 0);
		}
	}
	return err_set(e, -EINVAL, "expected operator after label \"%s\"", label);
}

/* Where an expression may start: all( ), global( ), has( label ). */
static int lex_function(struct lexer *lx, bool *done, struct err *e)
{
	const char *p;

	*done = true;
	if ((p = match_word(lx->p, "all("))) {
		p = skip_ws(p);
		if (*p != ')')
			return err_set(e, -EINVAL, "no closing ')' after all(");
		lx->p = p + 1;
		return lex_push(lx, TOK_ALL, NULL, 0);
	}
	if ((p = match_word(lx->p, "global("))) {
		p = skip_ws(p);
		if (*p != ')')
			return err_set(e, -EINVAL, "no closing ')' after global(");
		lx->p = p + 1;
		return lex_push(lx, TOK_GLOBAL, NULL, 0);
	}
	if ((p = match_word(lx->p, "has("))) {
		const char *start = skip_ws(p), *q = start;

		while (is_ident(*q))
			q++;
		if (q == start)
			return err_set(e, -EINVAL, "expected identifier");
		if (q - start > SEL_LABEL_MAX)
			return err_set(e, -EINVAL, "label too long: %.32s...", start);
		p = skip_ws(q);
		if (*p != ')')
			return err_set(e, -EINVAL, "no closing ')' after has(");
		lx->p = p + 1;
		return lex_push(lx, TOK_HAS, start, (size_t)(q - start));
	}
	*done = false;
	return 0;
}

static int lex_all(struct lexer *lx, struct err *e)
{
	int rc;

	for (;;) {
		bool after_label = lx->n > 0 && lx->toks[lx->n - 1].kind == TOK_LABEL;
		char c;

		lx->p = skip_ws(lx->p);
		c = *lx->p;
		if (c == '\0')
			return lex_push(lx, TOK_EOF, NULL, 0);
		switch (c) {
		case '(':
			rc = lex_push(lx, TOK_LPAREN, NULL, 0), lx->p++;
			break;
		case ')':
			rc = lex_push(lx, TOK_RPAREN, NULL, 0), lx->p++;
			break;
		case '{':
			rc = lex_push(lx, TOK_LBRACE, NULL, 0), lx->p++;
			break;
		case '}':
			rc = lex_push(lx, TOK_RBRACE, NULL, 0), lx->p++;
			break;
		case ',':
			rc = lex_push(lx, TOK_COMMA, NULL, 0), lx->p++;
			break;
		case '"':
		case '\'': {
			const char *end = strchr(lx->p + 1, c);

			if (!end)
				return err_set(e, -EINVAL, "unterminated string");
			rc = lex_push(lx, TOK_STRING, lx->p + 1, (size_t)(end - lx->p - 1));
			lx->p = end + 1;
			break;
		}
		case '=':
			if (lx->p[1] != '=')
				return err_set(e, -EINVAL, "expected ==");
			rc = lex_push(lx, TOK_EQ, NULL, 0), lx->p += 2;
			break;
		case '!':
			if (lx->p[1] == '=')
				rc = lex_push(lx, TOK_NE, NULL, 0), lx->p += 2;
			else
				rc = lex_push(lx, TOK_NOT, NULL, 0), lx->p++;
			break;
		case '&':
			if (lx->p[1] != '&')
				return err_set(e, -EINVAL, "expected &&");
			rc = lex_push(lx, TOK_AND, NULL, 0), lx->p += 2;
			break;
		case '|':
			if (lx->p[1] != '|')
				return err_set(e, -EINVAL, "expected ||");
			rc = lex_push(lx, TOK_OR, NULL, 0), lx->p += 2;
			break;
		default:
			if (after_label) {
				rc = lex_operator(lx, lx->toks[lx->n - 1].text, e);
			} else {
				bool done;
				const char *start = lx->p;

				rc = lex_function(lx, &done, e);
				if (rc || done)
					break;
				while (is_ident(*lx->p))
					lx->p++;
				if (lx->p == start)
					return err_set(e, -EINVAL, "unexpected characters: %.20s",
						       start);
				if (lx->p - start > SEL_LABEL_MAX)
					return err_set(e, -EINVAL, "label too long: %.32s...",
						       start);
				rc = lex_push(lx, TOK_LABEL, start, (size_t)(lx->p - start));
			}
			break;
		}
		if (rc)
			return rc;
	}
}

/* ---- AST ---- */

enum node_kind {
	N_ALL,
	N_GLOBAL,
	N_HAS,
	N_EQ,
	N_NE,
	N_IN,
	N_NOT_IN,
	N_CONTAINS,
	N_STARTS,
	N_ENDS,
	N_NOT,
	N_AND,
	N_OR,
};

struct node {
	enum node_kind kind;
	char *label; /* has/comparisons */
	char *value; /* ==, !=, contains, starts/ends with */
	char **set;  /* in / not in: sorted, unique */
	size_t nset;
	struct node **kids; /* not (1), and/or (>= 2) */
	size_t nkids;
};

struct selector {
	struct node *root;
	bool uses_global;
};

static void node_free(struct node *n)
{
	if (!n)
		return;
	free(n->label);
	free(n->value);
	for (size_t i = 0; i < n->nset; i++)
		free(n->set[i]);
	free(n->set);
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n);
}

static struct node *node_new(enum node_kind kind)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n)
		n->kind = kind;
	return n;
}

static int node_add_kid(struct node *n, struct node *kid)
{
	struct node **k = realloc(n->kids, (n->nkids + 1) * sizeof(*k));

	if (!k)
		return -ENOMEM;
	n->kids = k;
	n->kids[n->nkids++] = kid;
	return 0;
}

/* ---- parser ---- */

/* The parser recurses once per parenthesis level; a bound keeps a hostile
 * selector from exhausting the stack (found by fuzzing: 3,000 "(" did).
 * Real selectors nest a few levels. */
#define SEL_MAX_DEPTH 128

struct parser {
	struct token *toks;
	size_t pos;
	int depth; /* open parentheses */
	bool uses_global;
	struct err *e;
};

static enum tok_kind peek(const struct parser *ps)
{
	return ps->toks[ps->pos].kind;
}

static int parse_or(struct parser *ps, struct node **out);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int parse_set(struct parser *ps, struct node *n)
{
	if (peek(ps) != TOK_LBRACE)
		return err_set(ps->e, -EINVAL, "expected set literal");
	ps->pos++;
	while (peek(ps) == TOK_STRING) {
		char **set = realloc(n->set, (n->nset + 1) * sizeof(*set));

		if (!set)
			return -ENOMEM;
		n->set = set;
		n->set[n->nset] = strdup(ps->toks[ps->pos].text);
		if (!n->set[n->nset])
			return -ENOMEM;
		n->nset++;
		ps->pos++;
		if (peek(ps) != TOK_COMMA)
			break;
		ps->pos++;
	}
	if (peek(ps) != TOK_RBRACE)
		return err_set(ps->e, -EINVAL, "expected }");
	ps->pos++;
	/* Sorted and de-duplicated: the canonical form and the matcher use it. */
	if (n->nset > 1)
		qsort(n->set, n->nset, sizeof(*n->set), cmp_str);
	size_t w = 0;
	for (size_t i = 0; i < n->nset; i++) {
		if (w > 0 && strcmp(n->set[w - 1], n->set[i]) == 0) {
			free(n->set[i]);
			continue;
		}
		n->set[w++] = n->set[i];
	}
	n->nset = w;
	return 0;
}

static int parse_comparison(struct parser *ps, struct node **out)
{
	static const struct {
		enum tok_kind tok;
		enum node_kind node;
	} ops[] = {
	    {TOK_EQ, N_EQ},
	    {TOK_NE, N_NE},
	    {TOK_CONTAINS, N_CONTAINS},
	    {TOK_STARTS_WITH, N_STARTS},
	    {TOK_ENDS_WITH, N_ENDS},
	    {TOK_IN, N_IN},
	    {TOK_NOT_IN, N_NOT_IN},
	};
	const char *label = ps->toks[ps->pos].text;
	enum tok_kind op;
	struct node *n = NULL;
	int rc;

	ps->pos++;
	op = peek(ps);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].tok == op)
			n = node_new(ops[i].node);
	if (!n) {
		if (op == TOK_EOF)
			return err_set(ps->e, -EINVAL, "unexpected end of string looking for op");
		return err_set(ps->e, -EINVAL, "expected == or != not: %s", tok_names[op]);
	}
	ps->pos++;
	n->label = strdup(label);
	if (!n->label) {
		node_free(n);
		return -ENOMEM;
	}
	if (op == TOK_IN || op == TOK_NOT_IN) {
		rc = parse_set(ps, n);
	} else if (peek(ps) != TOK_STRING) {
		rc = err_set(ps->e, -EINVAL, "expected string");
	} else {
		n->value = strdup(ps->toks[ps->pos++].text);
		rc = n->value ? 0 : -ENOMEM;
	}
	if (rc) {
		node_free(n);
		return rc;
	}
	*out = n;
	return 0;
}

static int parse_primary(struct parser *ps, struct node **out)
{
	struct node *n = NULL;
	int rc;

	switch (peek(ps)) {
	case TOK_ALL:
	case TOK_GLOBAL:
		if (peek(ps) == TOK_GLOBAL)
			ps->uses_global = true;
		n = node_new(peek(ps) == TOK_ALL ? N_ALL : N_GLOBAL);
		if (!n)
			return -ENOMEM;
		ps->pos++;
		*out = n;
		return 0;
	case TOK_HAS:
		n = node_new(N_HAS);
		if (!n || !(n->label = strdup(ps->toks[ps->pos].text))) {
			node_free(n);
			return -ENOMEM;
		}
		ps->pos++;
		*out = n;
		return 0;
	case TOK_LABEL:
		return parse_comparison(ps, out);
	case TOK_LPAREN:
		if (ps->depth >= SEL_MAX_DEPTH)
			return err_set(ps->e, -EINVAL, "parentheses nested more than %d deep",
				       SEL_MAX_DEPTH);
		ps->pos++;
		ps->depth++;
		rc = parse_or(ps, &n);
		ps->depth--;
		if (rc)
			return rc;
		if (peek(ps) != TOK_RPAREN) {
			node_free(n);
			return err_set(ps->e, -EINVAL, "expected )");
		}
		ps->pos++;
		*out = n;
		return 0;
	case TOK_EOF:
		return err_set(ps->e, -EINVAL, "unexpected end of string looking for op");
	default:
		return err_set(ps->e, -EINVAL, "unexpected token: %s", tok_names[peek(ps)]);
	}
}

static int parse_unary(struct parser *ps, struct node **out)
{
	bool negated = false;
	struct node *n = NULL, *not ;
	int rc;

	while (peek(ps) == TOK_NOT) {
		negated = !negated;
		ps->pos++;
	}
	rc = parse_primary(ps, &n);
	if (rc || !negated) {
		if (!rc)
			*out = n;
		return rc;
	}
	not = node_new(N_NOT);
	if (!not || node_add_kid(not, n)) {
		free(not );
		node_free(n);
		return -ENOMEM;
	}
	*out = not ;
	return 0;
}

/* and_expr / or_expr share one shape: operands joined by one operator; a
 * single operand is returned as is. */
static int parse_chain(struct parser *ps, struct node **out, enum tok_kind op, enum node_kind kind,
		       int (*operand)(struct parser *, struct node **))
{
	struct node *first = NULL, *group, *next = NULL;
	int rc;

	rc = operand(ps, &first);
	if (rc)
		return rc;
	if (peek(ps) != op) {
		*out = first;
		return 0;
	}
	group = node_new(kind);
	if (!group || node_add_kid(group, first)) {
		free(group);
		node_free(first);
		return -ENOMEM;
	}
	while (peek(ps) == op) {
		ps->pos++;
		rc = operand(ps, &next);
		if (!rc && node_add_kid(group, next)) {
			node_free(next);
			rc = -ENOMEM;
		}
		if (rc) {
			node_free(group);
			return rc;
		}
	}
	*out = group;
	return 0;
}

static int parse_and(struct parser *ps, struct node **out)
{
	return parse_chain(ps, out, TOK_AND, N_AND, parse_unary);
}

static int parse_or(struct parser *ps, struct node **out)
{
	return parse_chain(ps, out, TOK_OR, N_OR, parse_and);
}

int sel_parse(const char *text, struct selector **out, struct err *e)
{
	struct lexer lx = {.p = text};
	struct parser ps = {.e = e};
	struct selector *s;
	struct node *root = NULL;
	int rc;

	*out = NULL;
	rc = lex_all(&lx, e);
	if (rc == 0) {
		ps.toks = lx.toks;
		if (peek(&ps) == TOK_EOF) {
			root = node_new(N_ALL);
			rc = root ? 0 : -ENOMEM;
		} else {
			rc = parse_or(&ps, &root);
			if (rc == 0 && peek(&ps) != TOK_EOF) {
				size_t left = lx.n - 1 - ps.pos;

				rc = err_set(e, -EINVAL,
					     "unexpected content at end of selector [%zu token(s)]",
					     left);
				node_free(root);
				root = NULL;
			}
		}
	}
	lex_free(&lx);
	if (rc) {
		if (rc == -ENOMEM)
			err_set(e, rc, "out of memory");
		return rc;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		node_free(root);
		return err_set(e, -ENOMEM, "out of memory");
	}
	s->root = root;
	s->uses_global = ps.uses_global;
	*out = s;
	return 0;
}

bool sel_valid(const char *text)
{
	struct selector *s;

	if (sel_parse(text, &s, NULL))
		return false;
	sel_free(s);
	return true;
}

void sel_free(struct selector *s)
{
	if (!s)
		return;
	node_free(s->root);
	free(s);
}

bool sel_uses_global(const struct selector *s)
{
	return s->uses_global;
}

/* ---- evaluation ---- */

static const char *label_get(const json_t *labels, const char *key)
{
	const json_t *v = labels ? json_object_get(labels, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool in_set(const struct node *n, const char *v)
{
	return n->nset && bsearch(&v, n->set, n->nset, sizeof(*n->set), cmp_str) != NULL;
}

static bool eval(const struct node *n, const json_t *labels)
{
	const char *v = n->label ? label_get(labels, n->label) : NULL;
	size_t lv, lx;

	switch (n->kind) {
	case N_ALL:
	case N_GLOBAL:
		return true;
	case N_HAS:
		return v != NULL;
	case N_EQ:
		return v && strcmp(v, n->value) == 0;
	case N_NE:
		return !v || strcmp(v, n->value) != 0;
	case N_IN:
		return v && in_set(n, v);
	case N_NOT_IN:
		return !v || !in_set(n, v);
	case N_CONTAINS:
		return v && strstr(v, n->value) != NULL;
	case N_STARTS:
		return v && strncmp(v, n->value, strlen(n->value)) == 0;
	case N_ENDS:
		if (!v)
			return false;
		lv = strlen(v), lx = strlen(n->value);
		return lv >= lx && strcmp(v + lv - lx, n->value) == 0;
	case N_NOT:
		return !eval(n->kids[0], labels);
	case N_AND:
		for (size_t i = 0; i < n->nkids; i++)
			if (!eval(n->kids[i], labels))
				return false;
		return true;
	case N_OR:
		for (size_t i = 0; i < n->nkids; i++)
			if (eval(n->kids[i], labels))
				return true;
		return false;
	}
	return false;
}

bool sel_match(const struct selector *s, const json_t *labels)
{
	return eval(s->root, json_is_object(labels) ? labels : NULL);
}

/* ---- canonical string ---- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/* Double quotes unless the value contains one. */
static void sb_quoted(struct sbuf *b, const char *v)
{
	const char *q = strchr(v, '"') ? "'" : "\"";

	sb_add(b, q);
	sb_add(b, v);
	sb_add(b, q);
}

static void print_node(struct sbuf *b, const struct node *n)
{
	static const char *const ops[] = {
	    [N_EQ] = " == ",
	    [N_NE] = " != ",
	    [N_CONTAINS] = " contains ",
	    [N_STARTS] = " starts with ",
	    [N_ENDS] = " ends with ",
	    [N_IN] = " in ",
	    [N_NOT_IN] = " not in ",
	};

	switch (n->kind) {
	case N_ALL:
		sb_add(b, "all()");
		break;
	case N_GLOBAL:
		sb_add(b, "global()");
		break;
	case N_HAS:
		sb_add(b, "has(");
		sb_add(b, n->label);
		sb_add(b, ")");
		break;
	case N_EQ:
	case N_NE:
	case N_CONTAINS:
	case N_STARTS:
	case N_ENDS:
		sb_add(b, n->label);
		sb_add(b, ops[n->kind]);
		sb_quoted(b, n->value);
		break;
	case N_IN:
	case N_NOT_IN:
		sb_add(b, n->label);
		sb_add(b, ops[n->kind]);
		sb_add(b, "{");
		for (size_t i = 0; i < n->nset; i++) {
			if (i)
				sb_add(b, ", ");
			sb_quoted(b, n->set[i]);
		}
		sb_add(b, "}");
		break;
	case N_NOT:
		sb_add(b, "!");
		print_node(b, n->kids[0]);
		break;
	case N_AND:
	case N_OR:
		sb_add(b, "(");
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				sb_add(b, n->kind == N_AND ? " && " : " || ");
			print_node(b, n->kids[i]);
		}
		sb_add(b, ")");
		break;
	}
}

char *sel_string(const struct selector *s)
{
	struct sbuf b = {0};

	print_node(&b, s->root);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
