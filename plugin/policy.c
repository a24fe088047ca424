// SPDX-License-Identifier: GPL-2.0
/*
 * The policy file: which functions, struct types, fields and parameter
 * names are guest/VMM-controlled and which are host KVM state.  The plugin
 * hard codes none of it.  The grammar is documented at the top of
 * kernel-integration/kvmdc.policy; the Python side parses the same file.
 */
#include "kvmdc.h"
#include <fnmatch.h>
#include <fcntl.h>
#include <sys/stat.h>

enum entry_kind {
	E_FUNC,
	E_TYPE,
	E_FIELD,
	E_PARAM,
};

struct policy_entry {
	enum entry_kind kind;
	enum provenance prov;
	std::string name;	/* function, type or parameter pattern */
	std::string field;	/* E_FIELD only */
	std::string why;
};

static std::vector<policy_entry> entries;
static std::vector<std::string> bug_scopes;	/* bug-scope DIR, '/'-terminated */

/* bug-allow FILE FUNCTION CHECK -- reason: a reviewed BUG_ON()/BUG(). */
struct bug_allow {
	std::string file, function, check, why;	/* check: whitespace removed */
};
static std::vector<bug_allow> bug_allows;

/* Longest line, line end excluded (the contract at the top of kvmdc.policy). */
#define POLICY_MAX_LINE		4096
#define POLICY_MAX_LINE_TEXT	"4096"

bool policy_dump;

struct keyword {
	const char *word;
	enum entry_kind kind;
	enum provenance prov;
};

static const keyword keywords[] = {
	{ "guest-func",  E_FUNC,  PROV_GUEST },
	{ "host-func",   E_FUNC,  PROV_HOST },
	{ "guest-type",  E_TYPE,  PROV_GUEST },
	{ "host-type",   E_TYPE,  PROV_HOST },
	{ "guest-field", E_FIELD, PROV_GUEST },
	{ "host-field",  E_FIELD, PROV_HOST },
	{ "guest-param", E_PARAM, PROV_GUEST },
	{ "host-param",  E_PARAM, PROV_HOST },
};

static std::string trim(const std::string &s)
{
	size_t b = s.find_first_not_of(" \t\r\n");
	size_t e = s.find_last_not_of(" \t\r\n");

	return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

static void split_words(const std::string &s, std::vector<std::string> &out)
{
	size_t i = 0;

	while (i < s.size()) {
		size_t b = s.find_first_not_of(" \t\r\n", i);
		if (b == std::string::npos)
			break;
		size_t e = s.find_first_of(" \t\r\n", b);
		if (e == std::string::npos)
			e = s.size();
		out.push_back(s.substr(b, e - b));
		i = e;
	}
}

static bool is_identifier_pattern(const std::string &s)
{
	if (s.empty())
		return false;
	for (char c : s)
		if (!ISALNUM(c) && c != '_' && c != '*' && c != '?')
			return false;
	return true;
}

static bool is_number(const std::string &s)
{
	if (s.empty())
		return false;
	for (char c : s)
		if (!ISDIGIT(c))
			return false;
	return true;
}

/* NAME or STRUCT.FIELD, as a source is named in the facts. */
static bool is_source_name(const std::string &s)
{
	size_t dot = s.find('.');

	if (dot == std::string::npos)
		return is_identifier_pattern(s);
	return is_identifier_pattern(s.substr(0, dot)) &&
	       is_identifier_pattern(s.substr(dot + 1));
}

/*
 * allow FILE FUNCTION guards NAME... -- why, or the fallback
 * allow FILE FUNCTION CONDITION -- why.  The plugin does not use them (the
 * kvmdc command matches uses); it checks them like the Python parser does.
 */
static const char *check_allow(const std::vector<std::string> &w,
			       const std::string &why)
{
	static std::string reason;

	if (w.size() < 4)
		return "expected 'allow FILE FUNCTION guards STRUCT.FIELD... -- justification'";
	if (why.empty())
		return "an allow entry needs a justification after ' -- '";
	if (w[3] != "guards")
		return NULL;
	if (w.size() == 4)
		return "expected 'guards STRUCT.FIELD...' (what the use guards)";
	for (size_t i = 4; i < w.size(); i++) {
		if (is_source_name(w[i]))
			continue;
		reason = "bad guarded name '" + w[i] + "': expected STRUCT.FIELD or NAME";
		return reason.c_str();
	}
	return NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The reason follows the first "--" that stands alone between blanks
 * (space or tab; the end of the line counts as one after it).
 */
static size_t reason_separator(const std::string &s)
{
	for (size_t i = 1; i + 1 < s.size(); i++) {
		if (s[i] != '-' || s[i + 1] != '-' || !is_blank(s[i - 1]))
			continue;
		if (i + 2 == s.size() || is_blank(s[i + 2]))
			return i;
	}
	return std::string::npos;
}

/* Checks a line; returns NULL when it is good, else the reason. */
static const char *parse_line(const std::string &raw, policy_entry &e,
			      bool &is_entry)
{
	static std::string reason;
	std::string body = raw, why;
	std::vector<std::string> w;
	size_t dash = reason_separator(raw);

	is_entry = false;
	if (dash != std::string::npos) {
		body = raw.substr(0, dash);
		why = trim(raw.substr(dash + 2));
	}
	split_words(body, w);
	if (w.empty())
		return NULL;

	if (w[0] == "budget") {
		if (w.size() != 3 || !is_number(w[2]))
			return "expected 'budget DIR N [-- reason]'";
		return NULL;
	}
	if (w[0] == "bug-scope") {
		if (w.size() != 2 || w[1][0] == '/' || w[1].find("..") != std::string::npos)
			return "expected 'bug-scope DIR [-- reason]' (DIR relative to the tree)";
		bug_scopes.push_back(w[1].back() == '/' ? w[1] : w[1] + "/");
		return NULL;
	}
	if (w[0] == "bug-allow") {
		std::string check;

		for (size_t i = 3; i < w.size(); i++)
			check += w[i];
		if (w.size() < 4 || check.find('(') == std::string::npos)
			return "expected 'bug-allow FILE FUNCTION CHECK -- reason' (CHECK as written, e.g. BUG_ON(x < 0) or BUG())";
		if (!is_identifier_pattern(w[2]))
			return "bad function pattern";
		if (why.empty())
			return "a bug-allow entry needs a reason after ' -- '";
		bug_allows.push_back({ w[1], w[2], check, why });
		return NULL;
	}
	if (w[0] == "allow")
		return check_allow(w, why);
	for (const keyword &k : keywords) {
		if (w[0] != k.word)
			continue;
		if (w.size() != 2) {
			reason = std::string("expected '") + k.word + " NAME [-- reason]'";
			return reason.c_str();
		}
		e.kind = k.kind;
		e.prov = k.prov;
		e.why = why.empty() ? (k.prov == PROV_GUEST ? "guest-controlled" : "host state") : why;
		if (k.kind == E_FIELD) {
			size_t dot = w[1].find('.');
			if (dot == std::string::npos)
				return "expected STRUCT.FIELD";
			e.name = w[1].substr(0, dot);
			e.field = w[1].substr(dot + 1);
			if (!is_identifier_pattern(e.name) || !is_identifier_pattern(e.field))
				return "bad STRUCT.FIELD pattern";
		} else {
			e.name = w[1];
			if (!is_identifier_pattern(e.name))
				return "bad name pattern";
		}
		is_entry = true;
		return NULL;
	}
	reason = "unknown keyword '" + w[0] + "'";
	return reason.c_str();
}

/* Length of the UTF-8 sequence at S[I], or 0 if it is not valid UTF-8. */
static size_t utf8_length(const std::string &s, size_t i)
{
	unsigned char c = s[i];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (i + n > s.size())
		return 0;
	for (size_t k = 1; k < n; k++) {
		unsigned char b = s[i + k];

		if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf))
			return 0;
	}
	return n;
}

/*
 * Why the bytes of one line (line end removed) are not policy text, or
 * NULL.  The file is UTF-8 text without control characters, so both
 * parsers see the same words.
 */
static const char *check_line_bytes(const std::string &line)
{
	static char reason[64];

	if (line.size() > POLICY_MAX_LINE)
		return "line too long (more than " POLICY_MAX_LINE_TEXT " bytes)";
	for (size_t i = 0; i < line.size();) {
		unsigned char c = line[i];
		size_t n;

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			snprintf(reason, sizeof(reason), "control character 0x%02x", c);
			return reason;
		}
		n = utf8_length(line, i);
		if (!n)
			return "not UTF-8";
		i += n;
	}
	return NULL;
}

/* Prints one accepted line as the test of both parsers compares it. */
static void dump_line(int lineno, const std::string &line, const policy_entry &e,
		      bool is_entry)
{
	std::vector<std::string> w;

	if (is_entry) {
		const char *word = NULL;

		for (const keyword &k : keywords)
			if (k.kind == e.kind && k.prov == e.prov)
				word = k.word;
		fprintf(stderr, "kvmdc: policy %d: %s %s%s%s -- %s\n", lineno, word,
			e.name.c_str(), e.kind == E_FIELD ? "." : "",
			e.field.c_str(), e.why.c_str());
		return;
	}
	split_words(line, w);
	if (w.size() >= 3 && (w[0] == "budget" || w[0] == "allow" || w[0] == "bug-allow"))
		fprintf(stderr, "kvmdc: policy %d: %s %s %s\n", lineno, w[0].c_str(),
			w[1].c_str(), w[2].c_str());
	else if (w.size() >= 2 && w[0] == "bug-scope")
		fprintf(stderr, "kvmdc: policy %d: bug-scope %s\n", lineno,
			bug_scopes.empty() ? "" : bug_scopes.back().c_str());
}

/* Parses one raw line; false (after the error) when it is bad. */
static bool load_line(const char *path, int lineno, std::string line)
{
	policy_entry e;
	bool is_entry;
	const char *bad;

	/* CRLF line ends; a UTF-8 byte order mark before the first line. */
	if (!line.empty() && line[line.size() - 1] == '\r')
		line.erase(line.size() - 1);
	if (lineno == 1 && line.compare(0, 3, "\xef\xbb\xbf") == 0)
		line.erase(0, 3);
	bad = check_line_bytes(line);
	if (!bad) {
		/* A comment runs from the first '#' to the end of the line. */
		line = trim(line.substr(0, line.find('#')));
		bad = parse_line(line, e, is_entry);
	}
	if (bad) {
		error("%s:%d: %s", path, lineno, bad);
		return false;
	}
	if (policy_dump)
		dump_line(lineno, line, e, is_entry);
	if (is_entry)
		entries.push_back(e);
	return true;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a plain file";
}

/*
 * Opens PATH for reading as a regular file.  O_NONBLOCK so that a FIFO
 * given by mistake is refused instead of blocking the compiler forever.
 */
static FILE *open_policy(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *f;

	if (fd < 0 || fstat(fd, &st) < 0) {
		error("%s: cannot open the policy file: %s", path, xstrerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		error("%s: not a regular file (%s)", path, file_kind(st.st_mode));
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		error("%s: cannot open the policy file: %s", path, xstrerror(errno));
		close(fd);
	}
	return f;
}

bool policy_load(const char *path)
{
	FILE *f = open_policy(path);
	char *buf = NULL;
	size_t size = 0;
	ssize_t len;
	int lineno = 0;
	bool ok = true;

	if (!f)
		return false;
	errno = 0;
	while (ok && (len = getline(&buf, &size, f)) >= 0) {
		std::string line(buf, len);

		if (!line.empty() && line[line.size() - 1] == '\n')
			line.erase(line.size() - 1);
		ok = load_line(path, ++lineno, line);
		errno = 0;
	}
	if (ok && ferror(f)) {
		error("%s: cannot read the policy file: %s", path, xstrerror(errno));
		ok = false;
	}
	free(buf);
	fclose(f);
	return ok;
}

static bool matches(const std::string &pattern, const char *name)
{
	return name && fnmatch(pattern.c_str(), name, 0) == 0;
}

static struct policy_hit lookup(enum entry_kind kind, const char *name,
				const char *field)
{
	struct policy_hit hit = { PROV_NONE, NULL };

	if (!name)
		return hit;
	for (const policy_entry &e : entries) {
		if (e.kind != kind || !matches(e.name, name))
			continue;
		if (kind == E_FIELD && !matches(e.field, field))
			continue;
		hit.prov = e.prov;
		hit.why = e.why.c_str();
		return hit;
	}
	return hit;
}

struct policy_hit policy_func(const char *name)
{
	return lookup(E_FUNC, name, NULL);
}

struct policy_hit policy_type(const char *type)
{
	return lookup(E_TYPE, type, NULL);
}

struct policy_hit policy_field(const char *type, const char *field)
{
	return lookup(E_FIELD, type, field);
}

struct policy_hit policy_param(const char *name)
{
	return lookup(E_PARAM, name, NULL);
}

/*
 * FILE as the compiler names it (tree-relative, "./"-prefixed, an absolute
 * path into a mirror, or "arch/x86/kvm/../../../virt/kvm/x.c"): whether a
 * bug-scope directory holds it.  ".." is folded lexically first.
 */
/* "/"-joined path with "." and ".." folded lexically: "/a/b/c.c". */
static std::string fold_path(const char *file)
{
	std::vector<std::string> parts;
	std::string norm;
	size_t i = 0;

	for (std::string path(file); i <= path.size();) {
		size_t e = path.find('/', i);
		std::string part;

		if (e == std::string::npos)
			e = path.size();
		part = path.substr(i, e - i);
		i = e + 1;
		if (part == ".." && !parts.empty() && parts.back() != "..")
			parts.pop_back();
		else if (!part.empty() && part != ".")
			parts.push_back(part);
	}
	for (const std::string &p : parts)
		norm += "/" + p;
	return norm;
}

bool policy_in_bug_scope(const char *file)
{
	std::string norm;

	if (!file || bug_scopes.empty())
		return false;
	norm = fold_path(file);
	for (const std::string &dir : bug_scopes)
		if (norm.find("/" + dir) != std::string::npos)
			return true;
	return false;
}

bool policy_has_bug_scope(void)
{
	return !bug_scopes.empty();
}

/* The reason of the bug-allow entry for this site, NULL if none. */
const char *policy_bug_allowed(const char *file, const char *function, const char *check)
{
	std::string norm;

	if (!file || !function || bug_allows.empty())
		return NULL;
	norm = fold_path(file);
	for (const bug_allow &a : bug_allows) {
		std::string tail = "/" + a.file;

		if (matches(a.function, function) && a.check == check && norm.size() >= tail.size() &&
		    !norm.compare(norm.size() - tail.size(), tail.size(), tail))
			return a.why.c_str();
	}
	return NULL;
}
