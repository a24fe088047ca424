// SPDX-License-Identifier: GPL-2.0
/*
 * Where the sites are: every expansion of KVM_BUG_ON_DATA_CORRUPTION is a
 * macro map in the line table, and each expansion declares a local __ret
 * whose declaration is a token of that map's macro body.  The one SSA
 * definition of that __ret carries the condition.  Keying a site by its
 * map (not by file:line:col) keeps apart the copies of a header included
 * several times, and the body-token test keeps apart a KVM_BUG_ON() nested
 * in the condition, whose __ret is an argument token of our map.
 */
#include "kvmdc.h"

/* The C front end's preprocessor; its options say whether macro maps exist. */
extern cpp_reader *parse_in;

static bool is_kvmdc_map(const line_map_macro *map)
{
	const char *name = linemap_map_get_macro_name(map);

	return name && name[0] == 'K' && !strcmp(name, KVMDC_MACRO);
}

static const line_map_macro *macro_map_of(location_t loc)
{
	const line_map *map;

	loc = get_pure_location(loc);
	if (loc < RESERVED_LOCATION_COUNT || !linemap_location_from_macro_expansion_p(line_table, loc))
		return NULL;
	map = linemap_lookup(line_table, loc);
	if (!map || !linemap_macro_expansion_map_p(map))
		return NULL;
	return linemap_check_macro(map);
}

/* Index of LOC among the tokens of MAP; body tokens have equal pairs. */
static bool is_body_token(const line_map_macro *map, location_t loc)
{
	unsigned int i = loc - MAP_START_LOCATION(map);

	if (i >= MACRO_MAP_NUM_MACRO_TOKENS(map))
		return false;
	return MACRO_MAP_LOCATIONS(map)[2 * i] == MACRO_MAP_LOCATIONS(map)[2 * i + 1];
}

bool is_site_ret_decl(tree var, const line_map_macro **mapp)
{
	const line_map_macro *map;
	location_t loc;
	tree name;

	if (TREE_CODE(var) != VAR_DECL)
		return false;
	name = DECL_NAME(var);
	if (!name || strcmp(IDENTIFIER_POINTER(name), "__ret"))
		return false;
	/*
	 * Expanded inside another macro's argument (KVM_BUG_ON(KVM_BUG_ON_DATA_
	 * CORRUPTION(...))), the token is an argument token of the outer map:
	 * follow it to where it came from until our map is reached.
	 */
	loc = get_pure_location(DECL_SOURCE_LOCATION(var));
	for (map = macro_map_of(loc); map && !is_kvmdc_map(map); map = macro_map_of(loc)) {
		unsigned int i = loc - MAP_START_LOCATION(map);

		if (i >= MACRO_MAP_NUM_MACRO_TOKENS(map) || is_body_token(map, loc))
			return false;
		loc = get_pure_location(MACRO_MAP_LOCATIONS(map)[2 * i]);
	}
	if (!map || !is_body_token(map, loc))
		return false;
	*mapp = map;
	return true;
}

/*
 * Where the user wrote the token at LOC: an argument token is followed to
 * where it was written in the caller, a body token to the expansion point
 * of its macro, until a spelling location in a source file is reached.
 */
location_t user_location(location_t loc)
{
	loc = get_pure_location(loc);
	while (loc >= RESERVED_LOCATION_COUNT &&
	       linemap_location_from_macro_expansion_p(line_table, loc)) {
		const line_map_macro *map = macro_map_of(loc);
		unsigned int i;

		if (!map)
			break;
		i = loc - MAP_START_LOCATION(map);
		if (i < MACRO_MAP_NUM_MACRO_TOKENS(map) && !is_body_token(map, loc))
			loc = MACRO_MAP_LOCATIONS(map)[2 * i];
		else
			loc = MACRO_MAP_EXPANSION_POINT_LOCATION(map);
		loc = get_pure_location(loc);
	}
	return loc;
}

/* Walks the SSA names, not the statements: the cheap way to every __ret. */
void find_sites_in_function(function *fn, std::vector<site> &out)
{
	unsigned int i;
	tree name;

	FOR_EACH_SSA_NAME(i, name, fn) {
		const line_map_macro *map;
		tree var = SSA_NAME_VAR(name);
		site s;

		if (!var || SSA_NAME_IS_DEFAULT_DEF(name))
			continue;
		if (!is_site_ret_decl(var, &map))
			continue;
		s.map_start = MAP_START_LOCATION(map);
		s.tu_verdict = -1;
		s.expansion = user_location(MACRO_MAP_EXPANSION_POINT_LOCATION(map));
		s.fndecl = fn->decl;
		s.fn = fn;
		s.ret_ssa = name;
		s.def = SSA_NAME_DEF_STMT(name);
		s.analysed = true;
		out.push_back(s);
	}
}

/*
 * Completeness: every expansion in the line map must have been seen in
 * GIMPLE.  Those that were not (an unused static inline, dead code) are
 * added as unanalysed sites so they are reported, never silently skipped.
 */
void find_unanalysed_sites(std::vector<site> &sites)
{
	unsigned int i, n = LINEMAPS_MACRO_USED(line_table);
	size_t analysed = sites.size();

	for (i = 0; i < n; i++) {
		const line_map_macro *map = LINEMAPS_MACRO_MAP_AT(line_table, i);
		bool seen = false;
		site s;

		if (!is_kvmdc_map(map))
			continue;
		for (size_t j = 0; j < analysed && !seen; j++)
			seen = sites[j].map_start == MAP_START_LOCATION(map);
		if (seen)
			continue;
		s.map_start = MAP_START_LOCATION(map);
		s.tu_verdict = -1;
		s.expansion = user_location(MACRO_MAP_EXPANSION_POINT_LOCATION(map));
		s.fndecl = NULL_TREE;
		s.fn = NULL;
		s.ret_ssa = NULL_TREE;
		s.def = NULL;
		s.analysed = false;
		sites.push_back(s);
	}
}

bool macro_tracking_enabled(void)
{
	return cpp_get_options(parse_in)->track_macro_expansion != 0;
}
