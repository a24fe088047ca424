// SPDX-License-Identifier: GPL-2.0
/*
 * The whole-build provenance database, as the plugin sees it: the text
 * export kvmdc db writes beside TREE/.kvmdc.db (kernel-integration/
 * DATABASE.md explains why not SQLite).  It decides what this unit cannot:
 * a callee's return value, the functions bound to a field, a field's
 * stores, the callers of a parameter in other files.  Any doubt about the
 * file (not SQLite, another size, another tree, a bad line) is one note
 * and the plugin keeps its per-unit verdicts.
 */
#include "kvmdc.h"
#include <unordered_map>
#include <unordered_set>
#include <sys/mman.h>
#include <sys/stat.h>

#define DB_VERSION	"2"
#define SQLITE_MAGIC	"SQLite format 3"

/*
 * The export stays mapped and is searched, not parsed: a unit needs a few
 * hundred of its tens of thousands of lines, so loading costs a header
 * check and a checksum, and each line is parsed the first time a slice
 * asks for it (kept in entries, so pointers handed out stay valid).
 */
static const char *body, *body_end;
static std::unordered_map<std::string, db_entry> entries;
/*
 * Keys the export does not hold (undecided nodes are left out of it): a
 * slice asks for the same parameter or callee again and again, and each
 * miss would otherwise be a fresh binary search.
 */
static std::unordered_set<std::string> missing;
static bool loaded;
static std::string unit;	/* this unit, as kvmdc db names it */

static bool suspended;

bool kvmdc_db_loaded(void)
{
	return loaded && !suspended;
}

/* Judge without the database for a while: the unit's own verdict, for facts. */
void db_suspend(bool suspend)
{
	suspended = suspend;
}

static void db_note(const char *path, const char *why)
{
	inform(UNKNOWN_LOCATION, "kvmdc: database %qs not used: %s; per-file verdicts", path, why);
}

/* a/b/../c -> a/c; leading ./ dropped: the unit's name in the facts. */
static std::string normalise(const char *file)
{
	std::vector<std::string> parts;
	std::string part, out;

	for (const char *p = file;; p++) {
		if (*p && *p != '/') {
			part += *p;
			continue;
		}
		if (part == ".." && !parts.empty() && parts.back() != "..")
			parts.pop_back();
		else if (!part.empty() && part != ".")
			parts.push_back(part);
		part.clear();
		if (!*p)
			break;
	}
	for (size_t i = 0; i < parts.size(); i++)
		out += (i || *file == '/' ? "/" : "") + parts[i];
	return out;
}

static bool same_tree(const std::string &tree)
{
	char *here = realpath(".", NULL);
	bool same = here && tree == here;

	free(here);
	return same;
}

static bool parse_line(const std::string &line, db_entry &e)
{
	size_t tab = line.find('\t');
	std::string head = line.substr(0, tab);
	char kind[4], key[1024], cls[16], params[256];

	if (sscanf(head.c_str(), "%3s %1023s %15s %255s", kind, key, cls, params) != 4)
		return false;
	if (!strcmp(cls, "guest"))
		e.cls = SRC_GUEST;
	else if (!strcmp(cls, "host"))
		e.cls = SRC_HOST;
	else if (!strcmp(cls, "unknown"))
		e.cls = SRC_UNKNOWN;
	else
		return false;
	for (const char *p = params; *p && strcmp(params, "-"); ) {
		e.params.push_back(atoi(p));
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	if (tab != std::string::npos)
		e.chain = line.substr(tab + 1);
	return true;
}

/* zlib's Adler-32, as Python's zlib.adler32 writes it into the header. */
static unsigned long adler32(const unsigned char *p, size_t n)
{
	unsigned long a = 1, b = 0;

	while (n) {
		size_t chunk = n < 5552 ? n : 5552;

		n -= chunk;
		while (chunk--) {
			a += *p++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return (b << 16) | a;
}

/* The header, the size of the database it goes with, its tree, its checksum. */
static bool check_export(const char *db, const char *map, size_t len, long size)
{
	const char *nl = (const char *)memchr(map, '\n', len);
	char ver[16], tree[4096];
	unsigned long sum;
	long want;
	std::string head;

	if (!nl || sscanf(head.assign(map, nl - map).c_str(), "kvmdc-db %15s %ld %lx %4095s",
			  ver, &want, &sum, tree) != 4 || strcmp(ver, DB_VERSION)) {
		db_note(db, "its export has no kvmdc-db " DB_VERSION " header (run kvmdc db)");
		return false;
	}
	if (want != size) {
		db_note(db, "it does not match its export (half-written or replaced; run kvmdc db)");
		return false;
	}
	if (!same_tree(tree)) {
		std::string why = std::string("built from ") + tree + ", not this tree (run kvmdc db here)";
		db_note(db, why.c_str());
		return false;
	}
	if (map[len - 1] != '\n' ||
	    adler32((const unsigned char *)nl + 1, map + len - nl - 1) != sum) {
		db_note(db, "its export is damaged (checksum; run kvmdc db)");
		return false;
	}
	body = nl + 1;
	body_end = map + len;
	return true;
}

/* Never an error: a database that cannot be used leaves today's verdicts. */
void db_load(const char *path)
{
	std::string export_path = std::string(path) + ".plugin";
	char magic[16] = "";
	struct stat st, est;
	void *map;
	FILE *f;
	int fd;
	bool ok;

	f = fopen(path, "rb");
	if (!f || stat(path, &st)) {
		db_note(path, xstrerror(errno));
		if (f)
			fclose(f);
		return;
	}
	ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
	     !memcmp(magic, SQLITE_MAGIC, sizeof(SQLITE_MAGIC));
	fclose(f);
	if (!ok) {
		db_note(path, "not an SQLite file (corrupt)");
		return;
	}
	fd = open(export_path.c_str(), O_RDONLY);
	if (fd < 0 || fstat(fd, &est) || est.st_size == 0) {
		db_note(path, "its export .plugin is missing (run kvmdc db)");
		if (fd >= 0)
			close(fd);
		return;
	}
	map = mmap(NULL, est.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		db_note(path, xstrerror(errno));
		return;
	}
	loaded = check_export(path, (const char *)map, est.st_size, st.st_size);
	if (!loaded)
		munmap(map, est.st_size);
}

/* Order of a line's "KIND KEY" against KEY, as Python sorts the export. */
static int compare_line(const char *line, const std::string &key)
{
	const char *sp = (const char *)memchr(line, ' ', body_end - line);
	const char *stop = sp ? (const char *)memchr(sp + 1, ' ', body_end - sp - 1) : NULL;
	size_t len = stop ? stop - line : 0, n = len < key.size() ? len : key.size();
	int c = memcmp(line, key.data(), n);

	if (c)
		return c;
	return len < key.size() ? -1 : len > key.size();
}

/* Binary search of the sorted lines; the line parsed once, then kept. */
static const db_entry *search(const std::string &key)
{
	const char *lo = body, *hi = body_end;

	while (lo < hi) {
		const char *mid = lo + (hi - lo) / 2, *next;
		int c;

		while (mid > lo && mid[-1] != '\n')
			mid--;
		next = (const char *)memchr(mid, '\n', body_end - mid) + 1;
		c = compare_line(mid, key);
		if (c < 0) {
			lo = next;
		} else if (c > 0) {
			hi = mid;
		} else {
			db_entry e;

			if (!parse_line(std::string(mid, next - 1 - mid), e))
				return NULL;
			return &(entries[key] = e);
		}
	}
	return NULL;
}

/* A key's entry, from what earlier lookups found or did not find. */
static const db_entry *lookup(const std::string &key)
{
	auto it = entries.find(key);
	const db_entry *e;

	if (it != entries.end())
		return &it->second;
	if (missing.count(key))
		return NULL;
	e = search(key);
	if (!e)
		missing.insert(key);
	return e;
}

/*
 * This unit as kvmdc db names it (static functions are "unit::name"): the
 * source's path from the tree, also when it is compiled from a copy of the
 * tree elsewhere (kvmdc check and review compile a mirror): then the
 * longest suffix of its path that the export lists as a unit ("U tu").
 */
static std::string unit_name(void)
{
	std::string path = normalise(main_input_filename);
	char *here = realpath(".", NULL);
	std::string cwd = here ? std::string(here) + "/" : "";

	free(here);
	if (path[0] != '/')
		return path;
	if (!cwd.empty() && path.compare(0, cwd.size(), cwd) == 0)
		return path.substr(cwd.size());
	for (size_t at = path.find('/'); at != std::string::npos; at = path.find('/', at + 1))
		if (lookup("U " + path.substr(at + 1)))
			return path.substr(at + 1);
	return path;
}

const db_entry *db_find(char kind, tree fndecl, int idx, const char *key)
{
	std::string k = std::string(1, kind) + " ";

	if (!kvmdc_db_loaded())
		return NULL;
	if (unit.empty())
		unit = unit_name();
	if (fndecl) {
		const char *name = DECL_NAME(fndecl) ? IDENTIFIER_POINTER(DECL_NAME(fndecl)) : NULL;

		if (!name)
			return NULL;
		k += TREE_PUBLIC(fndecl) ? name : unit + "::" + name;
		if (idx >= 0)
			k += "#" + std::to_string(idx);
	} else {
		k += key;
	}
	return lookup(k);
}

/* An entry by its export key ("F demo_apic.icr"): witness references. */
const db_entry *db_find_key(const std::string &key)
{
	return kvmdc_db_loaded() ? lookup(key) : NULL;
}
