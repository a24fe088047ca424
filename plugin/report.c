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
	"symbolic",	/* SRC_SYMBOLIC */
};

const char *verdict_name(enum verdict v)
{
	return v == VERDICT_GUEST ? "guest" : v == VERDICT_HOST ? "host" : "unknown";
}

const char *tree_path(const char *file)
{
	while (file && file[0] == '.' && file[1] == '/')
		file += 2;
	return file ? file : "";
}

void json_str(std::string &out, const char *s)
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
	json_str(out, key);
	out += ": ";
	if (val)
		json_str(out, val);
	else
		out += "null";
}

static void json_int(std::string &out, const char *key, int val)
{
	out += ", ";
	json_str(out, key);
	out += ": " + std::to_string(val);
}

/*
 * The keys a source is written with: the records' long ones, or the
 * database's compact ones, where a symbolic term is {"s": KIND, "n": NAME}.
 */
struct source_keys {
	const char *kind, *name, *cls, *why, *file, *line, *symbolic;
};

static const source_keys record_keys = {
	"kind", "name", "class", "why", "file", "line", NULL
};
static const source_keys term_keys = { "k", "n", "c", "w", "f", "l", "s" };

static void json_source_list(std::string &out, const std::vector<source> &list,
			     const source_keys &k)
{
	bool first = true;

	out += "[";
	for (const source &s : list) {
		expanded_location x = expand_location(s.loc);

		out += first ? "{" : ", {";
		first = false;
		if (s.cls == SRC_SYMBOLIC && k.symbolic) {
			json_field(out, k.symbolic, s.kind, false);
			json_field(out, k.name, s.name.c_str());
		} else {
			json_field(out, k.kind, s.kind, false);
			json_field(out, k.name, s.name.c_str());
			json_field(out, k.cls, class_names[s.cls]);
			json_field(out, k.why, s.why);
		}
		json_field(out, k.file, x.file ? tree_path(x.file) : NULL);
		json_int(out, k.line, x.line);
		out += "}";
	}
	out += "]";
}

static const char *function_name(tree fndecl)
{
	return fndecl && DECL_NAME(fndecl) ? IDENTIFIER_POINTER(DECL_NAME(fndecl)) : NULL;
}

/*
 * One site's record in this unit's facts, for this rule's sites and
 * bug_sites.c's alike: MACRO as written, EXTRA_JSON (", \"key\": ...",
 * empty for the macro's own sites) before the engine.
 */
void report_fact_for(const site &s, const char *macro, enum verdict v,
		     const char *rule, const std::vector<source> &sources,
		     const std::string &extra_json)
{
	expanded_location x = expand_location(s.expansion);

	facts += "{";
	json_field(facts, "file", tree_path(x.file), false);
	json_int(facts, "line", x.line);
	json_int(facts, "col", x.column);
	json_field(facts, "function", function_name(s.fndecl));
	json_field(facts, "macro", macro);
	json_field(facts, "verdict", verdict_name(v));
	if (s.tu_verdict >= 0)
		json_field(facts, "tu_verdict", verdict_name((enum verdict)s.tu_verdict));
	if (rule)
		json_field(facts, "rule", rule);
	facts += ", \"sources\": ";
	json_source_list(facts, sources, record_keys);
	facts += extra_json;
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

#define MAX_CHAIN	8

static void split_steps(const std::string &chain, std::vector<std::string> &out)
{
	size_t start = 0;

	while (start < chain.size()) {
		size_t tab = chain.find('\t', start);

		if (tab == std::string::npos)
			tab = chain.size();
		if (tab > start)
			out.push_back(chain.substr(start, tab - start));
		start = tab + 1;
	}
}

/*
 * The database's witness, one step per line with its own location: helper
 * in another file, the field, the root that wrote it.  The steps are in
 * other files, so the location is in the text.  A step ">KEY" continues
 * with that node's own witness (the export writes shared paths once).
 */
static void note_chain(const source &s)
{
	std::vector<std::string> steps;
	int printed = 0, more = 0;

	split_steps(s.chain, steps);
	for (size_t i = 0; i < steps.size() && i < 256; i++) {
		const std::string &step = steps[i];
		size_t b1 = step.rfind('|'), b0 = b1 && b1 != std::string::npos ?
			step.rfind('|', b1 - 1) : std::string::npos;
		std::string text = step, where;

		if (step[0] == '>') {
			const db_entry *e = db_find_key(step.substr(1));

			if (e)
				split_steps(e->chain, steps);
			continue;
		}
		if (printed == MAX_CHAIN) {
			more++;
			continue;
		}
		if (b0 != std::string::npos) {
			text = step.substr(0, b0);
			where = step.substr(b0 + 1, b1 - b0 - 1);
			if (!where.empty() && step.substr(b1 + 1) != "0")
				where += ":" + step.substr(b1 + 1);
		}
		inform(s.loc, "  %s%s%s", where.c_str(), where.empty() ? "" : ": ", text.c_str());
		printed++;
	}
	if (more)
		inform(s.loc, "  %d more step%s in the database (%qs)", more, more == 1 ? "" : "s",
		       "sqlite3 TREE/.kvmdc.db");
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
			if (!s.chain.empty())
				note_chain(s);
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
	report_fact_for(s, KVMDC_MACRO, v, rule, sources, "");
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

	report_fact_for(s, KVMDC_MACRO, VERDICT_UNKNOWN,
			kvmdc_strict ? "unknown-condition" : NULL, none, "");
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

/*
 * Terms of the database facts, compact: {"s": KIND, "n": NAME} for a
 * symbolic term, {"k": KIND, "n": NAME, "c": CLASS, "w": WHY} for a
 * decided source; both with "f" and "l" (file and line).
 */
void facts_json_terms(std::string &out, const std::vector<source> &terms)
{
	json_source_list(out, terms, term_keys);
}

void facts_append(const std::string &record)
{
	facts += record;
}

/* Written whole to a temporary file and renamed: never half a facts file. */
void facts_flush(void)
{
	std::string rel = tree_path(main_input_filename), path, tmp;
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

	json_str(out, s);
	return out;
}

const char *report_tree_file(const char *file)
{
	return tree_path(file);
}
