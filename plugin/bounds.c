// SPDX-License-Identifier: GPL-2.0
/*
 * The values callers pass: is a BUG_ON()/BUG() unreachable for all of them?
 *
 * Provenance alone flags
 *
 *	static u64 *get_fixed0(u32 index)
 *	{
 *		switch (index) {
 *		case CR0_FIXED0: ...
 *		case CR4_FIXED0: ...
 *		default: BUG();
 *		}
 *	}
 *
 * when index comes from the guest, yet if every caller passes a constant
 * the switch handles, or a value its own switch (or ==) already limited to
 * those cases, the default is dead.  So before the branches are sliced, the
 * values each parameter of a local function can hold are collected from its
 * callers in this unit (constants, case labels and comparisons that
 * dominate the call, phis of those, and the callers' own parameters, a few
 * levels up), and carried through the function's CFG from its entry, each
 * edge of a switch or comparison on the parameter narrowing the set to the
 * values that take it (so an if/else-if chain narrows it step by step).  If
 * no value arrives at the trap's block, no caller can reach it: the site is
 * host, and the parameter is named as the reason.
 *
 * Only value-preserving conversions (and x + constant and same-width
 * casts, which the folder makes of range tests) are followed, so the sets
 * are plain integers whatever the types; anything else means "any value".  It runs only for
 * the BUG sites of a unit, on functions local to it.
 */
#include "kvmdc.h"
#include <algorithm>
#include <map>
#include <set>

#define MAX_UP		3	/* caller levels followed */
#define MAX_RANGES	64	/* a set larger than this is "any value" */

/* A set of integers: closed ranges, or every value. */
struct values {
	bool any;
	std::vector<std::pair<widest_int, widest_int> > r;
};

static values any_value(void)
{
	values v;

	v.any = true;
	return v;
}

static values one_range(const widest_int &lo, const widest_int &hi)
{
	values v;

	v.any = false;
	v.r.push_back(std::make_pair(lo, hi));
	return v;
}

static void unite(values &a, const values &b)
{
	if (a.any || b.any || a.r.size() + b.r.size() > MAX_RANGES) {
		a.any = true;
		a.r.clear();
		return;
	}
	a.r.insert(a.r.end(), b.r.begin(), b.r.end());
}

static values intersect(const values &a, const values &b)
{
	values out;

	if (a.any)
		return b;
	if (b.any)
		return a;
	out.any = false;
	for (auto &x : a.r)
		for (auto &y : b.r) {
			widest_int lo = wi::gts_p(x.first, y.first) ? x.first : y.first;
			widest_int hi = wi::lts_p(x.second, y.second) ? x.second : y.second;

			if (wi::les_p(lo, hi))
				out.r.push_back(std::make_pair(lo, hi));
		}
	return out;
}

/* A conversion that keeps every value of its operand. */
static bool keeps_values(tree to, tree from)
{
	if (!INTEGRAL_TYPE_P(to) || !INTEGRAL_TYPE_P(from))
		return false;
	if (TYPE_UNSIGNED(to) == TYPE_UNSIGNED(from))
		return TYPE_PRECISION(to) >= TYPE_PRECISION(from);
	return TYPE_UNSIGNED(from) && TYPE_PRECISION(to) > TYPE_PRECISION(from);
}

/* T with its value-preserving conversions stripped. */
static tree origin(tree t)
{
	while (t && TREE_CODE(t) == SSA_NAME && !SSA_NAME_IS_DEFAULT_DEF(t)) {
		gimple *def = SSA_NAME_DEF_STMT(t);

		if (!is_gimple_assign(def) ||
		    !(CONVERT_EXPR_CODE_P(gimple_assign_rhs_code(def)) ||
		      gimple_assign_rhs_code(def) == SSA_NAME) ||
		    TREE_CODE(gimple_assign_rhs1(def)) != SSA_NAME ||
		    !keeps_values(TREE_TYPE(t), TREE_TYPE(gimple_assign_rhs1(def))))
			break;
		t = gimple_assign_rhs1(def);
	}
	return t;
}

/* The parameter whose incoming value T is, or NULL_TREE. */
static tree param_of(tree t)
{
	t = origin(t);
	if (t && TREE_CODE(t) == SSA_NAME && SSA_NAME_IS_DEFAULT_DEF(t) &&
	    SSA_NAME_VAR(t) && TREE_CODE(SSA_NAME_VAR(t)) == PARM_DECL)
		return SSA_NAME_VAR(t);
	return NULL_TREE;
}

/* The values of TYPE outside the sorted, disjoint ranges IN. */
static values complement(tree type, std::vector<std::pair<widest_int, widest_int> > in)
{
	widest_int next = wi::to_widest(TYPE_MIN_VALUE(type));
	widest_int max = wi::to_widest(TYPE_MAX_VALUE(type));
	values out;

	out.any = false;
	std::sort(in.begin(), in.end(), [](const std::pair<widest_int, widest_int> &a,
					   const std::pair<widest_int, widest_int> &b) {
		return wi::lts_p(a.first, b.first);
	});
	for (auto &r : in) {
		if (wi::lts_p(next, r.first))
			out.r.push_back(std::make_pair(next, r.first - 1));
		if (wi::ges_p(r.second, next))
			next = r.second + 1;
	}
	if (wi::les_p(next, max))
		out.r.push_back(std::make_pair(next, max));
	if (out.r.size() > MAX_RANGES)
		return any_value();
	return out;
}

static std::pair<widest_int, widest_int> case_range(tree c)
{
	return std::make_pair(wi::to_widest(CASE_LOW(c)),
			      wi::to_widest(CASE_HIGH(c) ? CASE_HIGH(c) : CASE_LOW(c)));
}

/* The values of switch S's index that lead to DEST. */
static values case_values(function *fn, gswitch *s, basic_block dest)
{
	std::vector<std::pair<widest_int, widest_int> > labels;
	values v;

	v.any = false;
	for (unsigned int i = 1; i < gimple_switch_num_labels(s); i++) {
		tree c = gimple_switch_label(s, i);

		labels.push_back(case_range(c));
		if (label_to_block(fn, CASE_LABEL(c)) == dest)
			v.r.push_back(case_range(c));
	}
	if (label_to_block(fn, CASE_LABEL(gimple_switch_default_label(s))) == dest)
		unite(v, complement(TREE_TYPE(gimple_switch_index(s)), labels));
	return v;
}

/* The values of X (an integer type) for which "X CODE C" holds. */
static values compare_values(tree x, enum tree_code code, tree c)
{
	tree type = TREE_TYPE(x);
	widest_int k = wi::to_widest(c);
	widest_int lo = wi::to_widest(TYPE_MIN_VALUE(type));
	widest_int hi = wi::to_widest(TYPE_MAX_VALUE(type));

	switch (code) {
	case EQ_EXPR:
		return one_range(k, k);
	case LT_EXPR:
		return wi::les_p(k, lo) ? values{ false, {} } : one_range(lo, k - 1);
	case LE_EXPR:
		return one_range(lo, k);
	case GT_EXPR:
		return wi::ges_p(k, hi) ? values{ false, {} } : one_range(k + 1, hi);
	case GE_EXPR:
		return one_range(k, hi);
	case NE_EXPR:
		return complement(type, { std::make_pair(k, k) });
	default:
		return any_value();
	}
}

/* V, values of a type of TO's width but the other signedness, read as TO's. */
static values reinterpret(const values &v, tree to)
{
	widest_int m = wi::set_bit_in_zero<widest_int>(TYPE_PRECISION(to));
	widest_int max = wi::to_widest(TYPE_MAX_VALUE(to));
	values out;

	if (v.any)
		return v;
	out.any = false;
	for (auto &r : v.r) {
		widest_int a = r.first, b = r.second;

		if (TYPE_UNSIGNED(to)) {
			if (wi::lts_p(a, 0))
				out.r.push_back(std::make_pair(a + m, wi::lts_p(b, 0) ? b + m : m - 1));
			if (!wi::lts_p(b, 0))
				out.r.push_back(std::make_pair(wi::lts_p(a, 0) ? widest_int(0) : a, b));
		} else {
			if (wi::les_p(a, max))
				out.r.push_back(std::make_pair(a, wi::les_p(b, max) ? b : max));
			if (wi::gts_p(b, max))
				out.r.push_back(std::make_pair((wi::gts_p(a, max) ? a : max + 1) - m, b - m));
		}
	}
	return out;
}

/* V, the values of NAME + OFF, as values of NAME (modulo for unsigned types). */
static values unshift(values v, const widest_int &off, tree type)
{
	widest_int lo = wi::to_widest(TYPE_MIN_VALUE(type));
	widest_int hi = wi::to_widest(TYPE_MAX_VALUE(type));
	widest_int m = hi - lo + 1;
	values out;

	if (v.any || off == 0)
		return v;
	out.any = false;
	for (auto &r : v.r) {
		widest_int a = r.first - off, b = r.second - off;

		if (TYPE_UNSIGNED(type) && wi::lts_p(b, 0)) {
			a += m;
			b += m;
		}
		if (TYPE_UNSIGNED(type) && wi::lts_p(a, 0)) {
			out.r.push_back(std::make_pair(a + m, hi));
			a = 0;
		}
		out.r.push_back(std::make_pair(a, b));
	}
	return intersect(out, one_range(lo, hi));
}

/*
 * V, values of X, as values of NAME: X is NAME through value-preserving
 * conversions, additions of a constant and same-width changes of
 * signedness (the folder turns "x == 1 || x == 2" into
 * "x + 0xffffffff <= 1", and "x >= -5 && x <= -1" into
 * "(unsigned)x + 5 <= 4").  Any value when X is something else.
 */
static values back(tree x, tree name, values v, int depth)
{
	gimple *def;
	tree y;

	if (origin(x) == name && keeps_values(TREE_TYPE(x), TREE_TYPE(name)))
		return v;
	if (v.any || depth > 4 || TREE_CODE(x) != SSA_NAME || SSA_NAME_IS_DEFAULT_DEF(x) ||
	    !is_gimple_assign(SSA_NAME_DEF_STMT(x)))
		return any_value();
	def = SSA_NAME_DEF_STMT(x);
	y = gimple_assign_rhs1(def);
	if (TREE_CODE(y) != SSA_NAME || !INTEGRAL_TYPE_P(TREE_TYPE(y)) ||
	    TYPE_PRECISION(TREE_TYPE(y)) != TYPE_PRECISION(TREE_TYPE(x)))
		return any_value();
	if (CONVERT_EXPR_CODE_P(gimple_assign_rhs_code(def)) &&
	    TYPE_UNSIGNED(TREE_TYPE(y)) != TYPE_UNSIGNED(TREE_TYPE(x)))
		return back(y, name, reinterpret(v, TREE_TYPE(y)), depth + 1);
	if (gimple_assign_rhs_code(def) == PLUS_EXPR &&
	    TREE_CODE(gimple_assign_rhs2(def)) == INTEGER_CST &&
	    TYPE_UNSIGNED(TREE_TYPE(y)) == TYPE_UNSIGNED(TREE_TYPE(x)))
		return back(y, name, unshift(v, wi::to_widest(gimple_assign_rhs2(def)), TREE_TYPE(x)),
			    depth + 1);
	return any_value();
}

/* What taking edge E says about the value of NAME (its origin). */
static values edge_values(function *fn, edge e, tree name)
{
	gimple *last = last_stmt(e->src);
	enum tree_code code;
	tree x, c;

	if (last && gimple_code(last) == GIMPLE_SWITCH &&
	    origin(gimple_switch_index(as_a<gswitch *>(last))) == name &&
	    keeps_values(TREE_TYPE(gimple_switch_index(as_a<gswitch *>(last))), TREE_TYPE(name)))
		return case_values(fn, as_a<gswitch *>(last), e->dest);
	if (!last || gimple_code(last) != GIMPLE_COND)
		return any_value();
	/* "X CODE C", the constant on the right. */
	x = gimple_cond_lhs(last);
	c = gimple_cond_rhs(last);
	code = gimple_cond_code(last);
	if (TREE_CODE(x) == INTEGER_CST) {
		std::swap(x, c);
		code = swap_tree_comparison(code);
	}
	if (TREE_CODE(c) != INTEGER_CST || !INTEGRAL_TYPE_P(TREE_TYPE(x)))
		return any_value();
	if (e->flags & EDGE_FALSE_VALUE)
		code = invert_tree_comparison(code, false);
	return back(x, name, compare_values(x, code, c), 0);
}

/*
 * The limits on NAME that hold in BB: every path to BB enters each of its
 * dominators through one of their incoming edges, and NAME, an SSA name,
 * has the same value on all of them.
 */
static values dominating_limits(function *fn, tree name, basic_block bb)
{
	values v = any_value();

	need_dominance(fn, CDI_DOMINATORS);
	push_cfun(fn);
	for (basic_block b = bb; b && b != ENTRY_BLOCK_PTR_FOR_FN(fn) && !(v.r.empty() && !v.any);
	     b = get_immediate_dominator(CDI_DOMINATORS, b)) {
		values in;
		edge e;
		edge_iterator ei;

		in.any = false;
		FOR_EACH_EDGE(e, ei, b->preds)
			unite(in, edge_values(fn, e, name));
		v = intersect(v, in);
	}
	pop_cfun();
	return v;
}

static values passed(function *fn, int idx, int up);

/* The values T can hold in block WHERE of FN. */
static values value_at(function *fn, tree t, basic_block where, int up, std::set<tree> &seen)
{
	values v = any_value();
	tree name = origin(t);

	if (TREE_CODE(name) == INTEGER_CST)
		return one_range(wi::to_widest(name), wi::to_widest(name));
	if (TREE_CODE(name) != SSA_NAME || !INTEGRAL_TYPE_P(TREE_TYPE(name)) ||
	    !seen.insert(name).second)
		return v;
	if (param_of(name)) {
		v = passed(fn, parm_index(fn->decl, param_of(name)), up + 1);
	} else if (gimple_code(SSA_NAME_DEF_STMT(name)) == GIMPLE_PHI) {
		gphi *phi = as_a<gphi *>(SSA_NAME_DEF_STMT(name));

		v.any = false;
		for (unsigned int i = 0; i < gimple_phi_num_args(phi) && !v.any; i++) {
			edge e = gimple_phi_arg_edge(phi, i);
			tree arg = gimple_phi_arg_def(phi, i);
			values a = value_at(fn, arg, e->src, up, seen);

			unite(v, TREE_CODE(origin(arg)) == SSA_NAME ?
			      intersect(a, edge_values(fn, e, origin(arg))) : a);
		}
	}
	seen.erase(name);
	return where ? intersect(v, dominating_limits(fn, name, where)) : v;
}

/*
 * The values every caller of FN passes as its parameter IDX; any value
 * unless FN is local to this unit, never has its address taken and every
 * call is seen.
 */
static values passed(function *fn, int idx, int up)
{
	cgraph_node *node = cgraph_node::get(fn->decl);
	values v;

	if (idx < 0 || up > MAX_UP || !node || TREE_PUBLIC(fn->decl) ||
	    node->address_taken || !node->callers)
		return any_value();
	v.any = false;
	for (cgraph_edge *e = node->callers; e && !v.any; e = e->next_caller) {
		function *caller = DECL_STRUCT_FUNCTION(e->caller->decl);
		gcall *call = e->call_stmt;
		std::set<tree> seen;

		if (!call || !caller || !gimple_in_ssa_p(caller) ||
		    idx >= (int)gimple_call_num_args(call))
			return any_value();
		unite(v, value_at(caller, gimple_call_arg(call, idx), gimple_bb(call), up, seen));
	}
	return v;
}

/* V with its ranges sorted and merged, so that equal sets compare equal. */
static void normalize(values &v)
{
	std::vector<std::pair<widest_int, widest_int> > out;

	std::sort(v.r.begin(), v.r.end(), [](const std::pair<widest_int, widest_int> &a,
					     const std::pair<widest_int, widest_int> &b) {
		return wi::lts_p(a.first, b.first);
	});
	for (auto &r : v.r) {
		if (!out.empty() && wi::les_p(r.first, out.back().second + 1)) {
			if (wi::gts_p(r.second, out.back().second))
				out.back().second = r.second;
		} else {
			out.push_back(r);
		}
	}
	v.r = out;
}

static bool same(const values &a, const values &b)
{
	if (a.any || b.any || a.r.size() != b.r.size())
		return a.any == b.any && a.r.size() == b.r.size();
	for (size_t i = 0; i < a.r.size(); i++)
		if (a.r[i].first != b.r[i].first || a.r[i].second != b.r[i].second)
			return false;
	return true;
}

/*
 * Whether TARGET is unreachable when NAME starts with the values V: the
 * values each block can see (those of its incoming edges, each narrowed by
 * its branch), propagated from the entry until nothing changes.  An
 * if/else-if chain narrows the set step by step, so the final else is seen
 * to be dead when every value was taken before it.
 */
static bool unreachable_by(function *fn, tree name, values v, basic_block target)
{
	std::map<basic_block, values> in;
	std::vector<basic_block> work(1, ENTRY_BLOCK_PTR_FOR_FN(fn));
	int budget = 20 * n_basic_blocks_for_fn(fn);

	normalize(v);
	in[ENTRY_BLOCK_PTR_FOR_FN(fn)] = v;
	while (!work.empty()) {
		basic_block bb = work.back();
		values cur = in[bb];
		edge e;
		edge_iterator ei;

		work.pop_back();
		if (--budget < 0)
			return false;
		FOR_EACH_EDGE(e, ei, bb->succs) {
			values out = intersect(cur, edge_values(fn, e, name));
			auto it = in.find(e->dest);

			if (!out.any && out.r.empty())
				continue;
			normalize(out);
			if (it == in.end()) {
				in[e->dest] = out;
			} else {
				unite(out, it->second);
				normalize(out);
				if (same(out, it->second))
					continue;
				it->second = out;
			}
			work.push_back(e->dest);
		}
	}
	return !in.count(target);
}

/* The parameters FN's branches test, with the values callers pass (bounded ones only). */
static std::map<tree, values> bounded_params(function *fn)
{
	std::map<tree, values> out;
	std::set<tree> tried;
	basic_block bb;

	FOR_EACH_BB_FN(bb, fn) {
		gimple *last = last_stmt(bb);
		tree x = NULL_TREE, parm;

		if (last && gimple_code(last) == GIMPLE_SWITCH)
			x = gimple_switch_index(as_a<gswitch *>(last));
		else if (last && gimple_code(last) == GIMPLE_COND)
			x = TREE_CODE(gimple_cond_rhs(last)) == INTEGER_CST ?
			    gimple_cond_lhs(last) : gimple_cond_rhs(last);
		parm = x ? param_of(x) : NULL_TREE;
		if (!parm || !INTEGRAL_TYPE_P(TREE_TYPE(parm)) || !tried.insert(parm).second)
			continue;
		values v = passed(fn, parm_index(fn->decl, parm), 0);

		if (!v.any)
			out[ssa_default_def(fn, parm)] = v;
	}
	return out;
}

/*
 * Whether TRAP's block is unreachable for every value the callers pass;
 * if so, SOURCES names the parameters that decide it.
 */
bool unreachable_for_callers(function *fn, gimple *trap, std::vector<source> &sources)
{
	std::map<tree, values> params;

	if (TREE_PUBLIC(fn->decl))
		return false;
	params = bounded_params(fn);
	for (auto &p : params) {
		tree parm = SSA_NAME_VAR(p.first);

		if (!unreachable_by(fn, p.first, p.second, gimple_bb(trap)))
			continue;
		sources.push_back({ "parameter", DECL_NAME(parm) ?
				    IDENTIFIER_POINTER(DECL_NAME(parm)) : "<param>", SRC_HOST,
				    "every caller passes a value the branches on it keep away "
				    "from the trap", DECL_SOURCE_LOCATION(parm) });
		return true;
	}
	return false;
}
