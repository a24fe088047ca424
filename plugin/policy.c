// SPDX-License-Identifier: GPL-2.0
/*
 * The policy file: which functions, struct types, fields and parameter
 * names are guest/VMM-controlled and which are host KVM state.  The plugin
 * hard codes none of it.  The grammar is documented at the top of
 * kernel-integration/kvmdc.policy; the Python side parses the same file.
 */
#include "kvmdc.h"
#include <fnmatch.h>

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

/* Checks a line; returns NULL when it is good, else the reason. */
static const char *parse_line(const std::string &raw, policy_entry &e,
			      bool &is_entry)
{
	static std::string reason;
	std::string body = raw, why;
	std::vector<std::string> w;
	size_t dash = raw.find(" -- ");

	is_entry = false;
	if (dash != std::string::npos) {
		body = raw.substr(0, dash);
		why = trim(raw.substr(dash + 4));
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
	if (w[0] == "allow") {
		if (w.size() < 4)
			return "expected 'allow FILE FUNCTION CONDITION -- justification'";
		if (why.empty())
			return "an allow entry needs a justification after ' -- '";
		return NULL;
	}
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

bool policy_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	int lineno = 0;

	if (!f) {
		error("kvmdc: cannot open policy file %qs: %s", path, xstrerror(errno));
		return false;
	}
	while (fgets(buf, sizeof(buf), f)) {
		std::string line(buf);
		size_t hash = line.find('#');
		policy_entry e;
		bool is_entry;
		const char *bad;

		lineno++;
		if (line.find('\n') == std::string::npos && !feof(f)) {
			error("%s:%d: line too long", path, lineno);
			fclose(f);
			return false;
		}
		line = trim(line);
		if (hash != std::string::npos)
			line.erase(hash);
		bad = parse_line(line, e, is_entry);
		if (bad) {
			error("%s:%d: %s", path, lineno, bad);
			fclose(f);
			return false;
		}
		if (is_entry)
			entries.push_back(e);
	}
	fclose(f);
	return true;
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

/* A guest-func entry may name a macro (get_user and friends expand to asm). */
bool policy_names_macro(const char *name)
{
	return policy_func(name).prov != PROV_NONE;
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
