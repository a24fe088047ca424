// SPDX-License-Identifier: GPL-2.0
/*
 * Rule bug-on-guest: a plain BUG_ON()/BUG() written in KVM (the policy's
 * bug-scope directories) that a guest or the VMM can reach panics the host
 * and every VM on it.
 *
 * Where the sites are: BUG() expands to an asm (ud2) inside a macro map
 * named "BUG"; BUG_ON(cond) is "if (unlikely(cond)) BUG();", so the BUG map
 * sits in the body of a "BUG_ON" map.  Walking outwards from the asm's
 * location through the maps finds both, and any wrapper around them (the
 * outermost map is what the user wrote).  A BUG_ON() inside
 * KVM_BUG_ON_DATA_CORRUPTION() belongs to rule guest-condition.
 *
 * What decides the verdict: for BUG_ON() the branches that control the
 * trap's block and come from the BUG_ON map (its condition), sliced like
 * the macro's condition; for BUG() every branch that decides whether it is
 * reached (control dependence, followed through loops).  A guest-controlled
 * branch is named, with its location, in the finding.
 */
#include "kvmdc.h"
#include <map>
#include <set>

struct bug_site {
	const line_map_macro *bug_map;		/* the BUG() expansion: the key */
	const line_map_macro *bug_on_map;	/* BUG_ON() around it, or NULL */
	const char *written;			/* outermost macro: what the user wrote */
	location_t expansion;			/* where the user wrote it */
	gimple *trap;
};

/* In-scope BUG maps of this unit, and those already judged. */
static std::set<location_t> scope_maps, judged;

/*
 * One step outwards from *LOC: an argument token to where it was written,
 * a body token to its macro's expansion point.  Returns the map *LOC was
 * in, NULL at a spelling location.
 */
static const line_map_macro *step_out(location_t *loc)
{
	const line_map *m;
	const line_map_macro *map;
	unsigned int i;

	*loc = get_pure_location(*loc);
	if (*loc < RESERVED_LOCATION_COUNT ||
	    !linemap_location_from_macro_expansion_p(line_table, *loc))
		return NULL;
	m = linemap_lookup(line_table, *loc);
	if (!m || !linemap_macro_expansion_map_p(m))
		return NULL;
	map = linemap_check_macro(m);
	i = *loc - MAP_START_LOCATION(map);
	if (i < MACRO_MAP_NUM_MACRO_TOKENS(map) &&
	    MACRO_MAP_LOCATIONS(map)[2 * i] != MACRO_MAP_LOCATIONS(map)[2 * i + 1])
		*loc = MACRO_MAP_LOCATIONS(map)[2 * i];
	else
		*loc = MACRO_MAP_EXPANSION_POINT_LOCATION(map);
	return map;
}

static bool is_named(const line_map_macro *map, const char *name)
{
	const char *n = linemap_map_get_macro_name(map);

	return n && !strcmp(n, name);
}

/* The BUG()/BUG_ON() expansion a trap statement comes from, if any. */
static bool trace_bug(location_t loc, bug_site &b)
{
	const line_map_macro *map, *prev = NULL;

	b.bug_map = b.bug_on_map = NULL;
	b.written = NULL;
	while ((map = step_out(&loc))) {
		if (!b.bug_map) {
			if (is_named(map, "BUG"))
				b.bug_map = map;
		} else {
			if (is_named(map, KVMDC_MACRO))
				return false;
			if (prev == b.bug_map && is_named(map, "BUG_ON"))
				b.bug_on_map = map;
		}
		if (b.bug_map)
			b.written = linemap_map_get_macro_name(map);
		prev = map;
	}
	return b.bug_map != NULL;
}

static bool passes_through(location_t loc, const line_map_macro *target)
{
	const line_map_macro *map;

	while ((map = step_out(&loc)))
		if (map == target)
			return true;
	return false;
}

/*
 * Called once per unit: the BUG maps written in a bug-scope directory.
 * Most units of a kernel build have none, and then no statement is looked
 * at.
 */
void bug_sites_begin_unit(void)
{
	unsigned int i, n = LINEMAPS_MACRO_USED(line_table);
	double start = cpu_seconds();
	std::map<const char *, bool> in_scope;	/* by the line map's file name */

	scope_maps.clear();
	judged.clear();
	bug_sites_seconds = 0;
	if (!policy_has_bug_scope())
		return;
	for (i = 0; i < n; i++) {
		const line_map_macro *map = LINEMAPS_MACRO_MAP_AT(line_table, i);
		location_t where;

		if (!is_named(map, "BUG"))
			continue;
		where = user_location(MACRO_MAP_EXPANSION_POINT_LOCATION(map));
		const char *file = LOCATION_FILE(where);
		auto known = in_scope.find(file);

		if (known == in_scope.end())
			known = in_scope.insert(std::make_pair(file, policy_in_bug_scope(file))).first;
		if (known->second)
			scope_maps.insert(MAP_START_LOCATION(map));
	}
	bug_sites_seconds += cpu_seconds() - start;
}

/* The branches whose conditions decide whether the trap runs. */
static void deciding_branches(function *fn, const bug_site &b, std::vector<gimple *> &out)
{
	std::vector<gimple *> direct;

	if (!b.bug_on_map) {
		control_branches(fn, gimple_bb(b.trap), true, out);
		return;
	}
	control_branches(fn, gimple_bb(b.trap), false, direct);
	for (gimple *g : direct)
		if (passes_through(gimple_location(g), b.bug_on_map))
			out.push_back(g);
	if (out.empty())
		out = direct;
}

static void add_unique(std::vector<source> &all, const std::vector<source> &more)
{
	for (const source &s : more) {
		bool dup = false;

		for (const source &t : all)
			dup |= t.kind == s.kind && t.name == s.name && t.loc == s.loc;
		if (!dup)
			all.push_back(s);
	}
}

/* Guest wins over unknown, unknown over host. */
static enum verdict worse(enum verdict a, enum verdict b)
{
	if (a == VERDICT_GUEST || b == VERDICT_GUEST)
		return VERDICT_GUEST;
	return a == VERDICT_UNKNOWN || b == VERDICT_UNKNOWN ? VERDICT_UNKNOWN : VERDICT_HOST;
}

static std::string branch_json(gimple *branch)
{
	expanded_location x = expand_location(user_location(gimple_location(branch)));
	const char *what = gimple_code(branch) == GIMPLE_SWITCH ? "switch" : "if";

	return std::string(", \"branch\": {\"stmt\": \"") + what + "\", \"file\": " +
	       report_json_quote(report_tree_file(x.file)) +
	       ", \"line\": " + std::to_string(x.line) + "}";
}

/*
 * The check as the user wrote it at LOC ("BUG_ON(x<0)", "BUG()"), read from
 * the source and with whitespace removed, as bug-allow entries spell it.
 * Follows the parentheses over at most a few lines.
 */
static std::string written_check(location_t loc)
{
	expanded_location x = expand_location(loc);
	std::string out;
	int depth = 0;

	for (int line = x.line; x.file && line < x.line + 8; line++) {
		char_span text = location_get_source_line(x.file, line);

		if (!text)
			break;
		for (size_t i = line == x.line ? x.column - 1 : 0; i < text.length(); i++) {
			char c = text[i];

			if (ISSPACE(c))
				continue;
			out += c;
			if (c == '(')
				depth++;
			else if (c == ')' && --depth == 0)
				return out;
		}
	}
	return out;
}

static void report_bug(function *fn, const bug_site &b, enum verdict v,
		       const std::vector<source> &sources, gimple *guest_branch)
{
	const char *what = b.bug_on_map ? "BUG_ON" : "BUG";
	const char *fname = IDENTIFIER_POINTER(DECL_NAME(fn->decl));
	const char *rule = NULL;
	std::string extra = std::string(", \"bug\": \"") + what + "\"";
	site s = { MAP_START_LOCATION(b.bug_map), b.expansion, fn->decl, fn,
		   NULL_TREE, b.trap, true, -1 };
	char via[128] = "", msg[600];
	const char *allowed = v == VERDICT_GUEST ?
		policy_bug_allowed(LOCATION_FILE(b.expansion), fname,
				   written_check(b.expansion).c_str()) : NULL;

	/* Undecided ones stay in the facts: --strict is about the macro. */
	if (allowed)
		extra += ", \"allowed\": " + report_json_quote(allowed);
	else if (v == VERDICT_GUEST)
		rule = "bug-on-guest";
	if (guest_branch)
		extra += branch_json(guest_branch);
	report_fact_for(s, b.written, v, rule, sources, extra);
	if (!rule)
		return;
	if (strcmp(b.written, what))
		snprintf(via, sizeof(via), " (through %s())", b.written);
	if (b.bug_on_map)
		snprintf(msg, sizeof(msg), "BUG_ON()%s in %s() on a guest-controlled condition: "
			 "a guest can panic the host; use KVM_BUG_ON() (kills only the VM) or "
			 "WARN_ON_ONCE() and return an error", via, fname);
	else
		snprintf(msg, sizeof(msg), "BUG()%s in %s() is reached through a guest-controlled "
			 "branch (line %d): a guest can panic the host; use KVM_BUG_ON() (kills "
			 "only the VM) or WARN_ON_ONCE() and return an error", via, fname,
			 LOCATION_LINE(user_location(gimple_location(guest_branch))));
	push_cfun(fn);
	report_finding(b.expansion, msg, rule);
	if (guest_branch && !b.bug_on_map)
		inform(user_location(gimple_location(guest_branch)),
		       "guest-controlled %s that lets the guest reach %<BUG()%>",
		       gimple_code(guest_branch) == GIMPLE_SWITCH ? "switch" : "branch");
	report_sources(sources);
	pop_cfun();
}

static void judge_bug(function *fn, const bug_site &b)
{
	std::vector<gimple *> branches;
	std::vector<source> sources;
	enum verdict v = VERDICT_HOST;
	gimple *guest_branch = NULL;

	/* A trap no value the callers pass can reach decides nothing. */
	if (unreachable_for_callers(fn, b.trap, sources)) {
		report_bug(fn, b, VERDICT_HOST, sources, NULL);
		return;
	}
	deciding_branches(fn, b, branches);
	for (gimple *g : branches) {
		std::vector<source> one;
		enum verdict bv = classify_branch(fn, g, one);

		if (bv == VERDICT_GUEST && !guest_branch)
			guest_branch = g;
		v = worse(v, bv);
		add_unique(sources, one);
	}
	if (branches.empty()) {
		v = VERDICT_UNKNOWN;
		sources.push_back({ "unknown", "no branch", SRC_UNKNOWN,
				    "reached whenever its function runs: its callers decide",
				    b.expansion });
	}
	report_bug(fn, b, v, sources, guest_branch);
}

void analyse_bug_sites(function *fn)
{
	basic_block bb;
	double start;

	if (scope_maps.empty())
		return;
	start = cpu_seconds();
	FOR_EACH_BB_FN(bb, fn) {
		for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
			gimple *stmt = gsi_stmt(gsi);
			bug_site b;

			if (gimple_code(stmt) != GIMPLE_ASM ||
			    !trace_bug(gimple_location(stmt), b) ||
			    !scope_maps.count(MAP_START_LOCATION(b.bug_map)) ||
			    !judged.insert(MAP_START_LOCATION(b.bug_map)).second)
				continue;
			b.trap = stmt;
			b.expansion = user_location(gimple_location(stmt));
			judge_bug(fn, b);
		}
	}
	bug_sites_seconds += cpu_seconds() - start;
}
