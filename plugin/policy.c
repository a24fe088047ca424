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
