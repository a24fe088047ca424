// SPDX-License-Identifier: GPL-2.0
/*
 * What the user sees: GCC diagnostics at the expansion point, one note per
 * source, and the facts file (one JSON object per site, host verdicts
 * included) that the kvmdc command and the tests count and explain.
 */
#include "kvmdc.h"
#include <sys/stat.h>

enum report_level kvmdc_level = LEVEL_WARNING;
bool kvmdc_strict;
const char *kvmdc_facts_dir;

static std::string facts;

static const char *const class_names[] = {
	"constant",	/* SRC_CONSTANT */
	"host",		/* SRC_HOST */
	"guest",	/* SRC_GUEST */
	"unknown",	/* SRC_UNKNOWN */
};

const char *verdict_name(enum verdict v)
{
	return v == VERDICT_GUEST ? "guest" : v == VERDICT_HOST ? "host" : "unknown";
}

static const char *tree_file(const char *file)
{
	while (file && file[0] == '.' && file[1] == '/')
		file += 2;
	return file ? file : "";
}

static void json_string(std::string &out, const char *s)
{
	char buf[8];

	out += '"';
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			out += '\\';
			out += c;
		} else if (c < 0x20) {
			snprintf(buf, sizeof(buf), "\\u%04x", c);
			out += buf;
		} else {
			out += c;
		}
	}
	out += '"';
}

static void json_field(std::string &out, const char *key, const char *val, bool comma = true)
{
	if (comma)
		out += ", ";
	json_string(out, key);
	out += ": ";
	if (val)
		json_string(out, val);
	else
		out += "null";
}

static void json_int(std::string &out, const char *key, int val)
{
	out += ", ";
	json_string(out, key);
	out += ": " + std::to_string(val);
}

static void json_sources(std::string &out, const std::vector<source> &sources)
{
	bool first = true;

	out += ", \"sources\": [";
	for (const source &s : sources) {
		expanded_location x = expand_location(s.loc);

		out += first ? "{" : ", {";
		first = false;
		json_field(out, "kind", s.kind, false);
		json_field(out, "name", s.name.c_str());
		json_field(out, "class", class_names[s.cls]);
		json_field(out, "why", s.why);
		json_field(out, "file", x.file ? tree_file(x.file) : NULL);
		json_int(out, "line", x.line);
		out += "}";
	}
	out += "]";
}

static const char *function_name(tree fndecl)
{
	return fndecl && DECL_NAME(fndecl) ? IDENTIFIER_POINTER(DECL_NAME(fndecl)) : NULL;
}

static void record_fact(const site &s, enum verdict v, const char *rule,
			const std::vector<source> &sources)
{
	expanded_location x = expand_location(s.expansion);

	facts += "{";
	json_field(facts, "file", tree_file(x.file), false);
	json_int(facts, "line", x.line);
	json_int(facts, "col", x.column);
	json_field(facts, "function", function_name(s.fndecl));
	json_field(facts, "macro", KVMDC_MACRO);
	json_field(facts, "verdict", verdict_name(v));
	if (rule)
		json_field(facts, "rule", rule);
	json_sources(facts, sources);
	json_field(facts, "engine", "gcc");
	facts += std::string(", \"analysed\": ") + (s.analysed ? "true" : "false");
	facts += "}\n";
}

/* The finding itself, at the level the user chose (note for -Werror builds). */
static void emit(location_t loc, const char *msg, const char *rule)
{
	switch (kvmdc_level) {
	case LEVEL_NOTE:
		inform(loc, "%s [kvmdc:%s]", msg, rule);
		break;
	case LEVEL_WARNING:
		warning_at(loc, 0, "%s [kvmdc:%s]", msg, rule);
		break;
	case LEVEL_ERROR:
		error_at(loc, "%s [kvmdc:%s]", msg, rule);
		break;
	}
}

static void note_sources(const std::vector<source> &sources, bool guest_first)
{
	for (int pass = 0; pass < 2; pass++) {
		for (const source &s : sources) {
			bool is_guest = s.cls == SRC_GUEST;

			if (s.cls == SRC_CONSTANT || (pass == 0) != (is_guest == guest_first))
				continue;
			inform(s.loc, "%s source: %s %<%s%> (%s)", class_names[s.cls],
			       s.kind, s.name.c_str(), s.why);
		}
	}
}

void report_site(const site &s, enum verdict v, const std::vector<source> &sources)
{
	const char *fname = function_name(s.fndecl);
	const char *rule = NULL;
	char msg[512];

	if (v == VERDICT_GUEST)
		rule = "guest-condition";
	else if (v == VERDICT_UNKNOWN && kvmdc_strict)
		rule = "unknown-condition";
	record_fact(s, v, rule, sources);
	if (!rule)
		return;

	push_cfun(s.fn);
	if (v == VERDICT_GUEST)
		snprintf(msg, sizeof(msg), "%s() in %s() guards a guest-controlled condition: "
			 "with CONFIG_BUG_ON_DATA_CORRUPTION=y a guest can panic the host; "
			 "use KVM_BUG_ON() or return an error", KVMDC_MACRO, fname);
	else
		snprintf(msg, sizeof(msg), "%s() in %s(): provenance of the condition undecided",
			 KVMDC_MACRO, fname);
	emit(s.expansion, msg, rule);
	note_sources(sources, true);
	pop_cfun();
}

void report_unanalysed(const site &s)
{
	static const std::vector<source> none;
	const char *msg = KVMDC_MACRO "() not analysed: its function was never "
			  "emitted (unused static inline or unreachable code)";

	record_fact(s, VERDICT_UNKNOWN, kvmdc_strict ? "unknown-condition" : NULL, none);
	if (kvmdc_strict)
		emit(s.expansion, msg, "unknown-condition");
	else
		inform(s.expansion, "%s [kvmdc]", msg);
}

static bool make_dirs(const std::string &path)
{
	for (size_t i = 1; i < path.size(); i++) {
		if (path[i] != '/')
			continue;
		std::string dir = path.substr(0, i);

		if (mkdir(dir.c_str(), 0777) && errno != EEXIST)
			return false;
	}
	return true;
}

/* Written whole to a temporary file and renamed: never half a facts file. */
void facts_flush(void)
{
	std::string rel = tree_file(main_input_filename), path, tmp;
	FILE *f;

	if (!kvmdc_facts_dir)
		return;
	while (!rel.empty() && rel[0] == '/')
		rel.erase(0, 1);
	path = std::string(kvmdc_facts_dir) + "/" + rel + ".jsonl";
	tmp = path + ".tmp" + std::to_string(getpid());
	if (!make_dirs(path) || !(f = fopen(tmp.c_str(), "w"))) {
		error("kvmdc: cannot write facts file %qs: %s", path.c_str(), xstrerror(errno));
		return;
	}
	fputs(facts.c_str(), f);
	if (fclose(f) || rename(tmp.c_str(), path.c_str())) {
		error("kvmdc: cannot write facts file %qs: %s", path.c_str(), xstrerror(errno));
		unlink(tmp.c_str());
	}
	facts.clear();
}

/* ---- for other rules (bug_sites.c) ---- */

/*
 * One record of another rule's site in this unit's facts: the same fields
 * as a macro site, MACRO as written, EXTRA_JSON (", \"key\": ...") added.
 */
void report_fact_for(const site &s, const char *macro, enum verdict v,
		     const char *rule, const std::vector<source> &sources,
		     const std::string &extra_json)
{
	expanded_location x = expand_location(s.expansion);

	facts += "{";
	json_field(facts, "file", tree_file(x.file), false);
	json_int(facts, "line", x.line);
	json_int(facts, "col", x.column);
	json_field(facts, "function", function_name(s.fndecl));
	json_field(facts, "macro", macro);
	json_field(facts, "verdict", verdict_name(v));
	if (rule)
		json_field(facts, "rule", rule);
	json_sources(facts, sources);
	facts += extra_json;
	json_field(facts, "engine", "gcc");
	facts += std::string(", \"analysed\": ") + (s.analysed ? "true" : "false");
	facts += "}\n";
}

void report_finding(location_t loc, const char *msg, const char *rule)
{
	emit(loc, msg, rule);
}

void report_sources(const std::vector<source> &sources)
{
	note_sources(sources, true);
}

/* S as a JSON string literal, for EXTRA_JSON above. */
std::string report_json_quote(const char *s)
{
	std::string out;

	json_string(out, s);
	return out;
}

const char *report_tree_file(const char *file)
{
	return tree_file(file);
}
