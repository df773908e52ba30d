/* SPDX-License-Identifier: MIT */
/* model.pml - the statusdir protocols as a Promela model, checked by spin.
 *
 * Two writers put (three puts in all), a reader gets the newest version and
 * then a version by id, and a cleaner sweeps tmp/, trims the head and
 * prunes.  A power cut may strike at any moment, or never.  It keeps what
 * was fsync'd, and of the rest only what the filesystem had written back by
 * itself (a journal commit of the directories may happen at any moment; the
 * bytes of a file that was not fsync'd are lost).  After it, a writer (one
 * put), a reader and a cleaner run on what is left.  spec/model.md maps
 * every step to the code, states the properties and the abstractions, gives
 * the sizes and times, and shows that each mutation below is caught.
 *
 *   tests/analysis/spin.sh              the model, then every mutation
 *   spin -a spec/model.pml && cc -O2 -DSAFETY -DCOLLAPSE -o pan pan.c && ./pan -m100000
 *
 * Mutations: each -D below removes or moves one step of the protocol; spin
 * must then find a violation (tests/analysis/spin.sh --mutations).
 *   NO_FSYNC_FILE       put does not fsync the file (P3 removed)
 *   FSYNC_FILE_LATE     put fsyncs the file after the rename into cur/ (P3 after P6)
 *   NO_FSYNC_CUR        put does not fsync cur/ (P7 removed)
 *   FSYNC_CUR_EARLY     put fsyncs cur/ before the rename into cur/ (P7 before P6)
 *   CLOCK_ONLY          the id's time is the clock alone, without greatest + 1 (P5)
 *   HISTORY_BEFORE_CUR  a lookup by id tries old/ before cur/ (5.2)
 *   NEWEST_NO_RETRY     get of the newest answers "no version" when the name
 *                       vanished between listing and opening (5.1 step 3)
 *   GET_OLDEST          get of the newest takes the least id of its listing (5.1 step 1)
 *   PRUNE_NEWEST        prune does not exempt the greatest id (6.1)
 *   MOVE_NEWEST         the head trim ranks its listing oldest first (4)
 *   DELETE_THEN_RENAME  the move to old/ removes cur/ID, then creates old/ID,
 *                       two steps instead of one rename(2) (4)
 *   SWEEP_FRESH_TMP     the sweep takes the tmp/ files of live writers (7)
 * Variants, which must hold like the model:
 *   LINK_FALLBACK       publish by link(2) and unlink(2) (P6 without RENAME_NOREPLACE)
 *   RETENTION           each put also applies a retention policy (P10)
 *   READERS=2           two readers
 *
 * Each assert is tagged [name]; spin.sh reports the tag of the one that
 * fails.  The tags are the properties of spec/model.md.  The printf lines
 * ("MSC:") only show in a replayed trail: spin -t model.pml. */

#define HEAD 2         /* the head trim keeps this many newest in cur/ (8 in the code) */
#define KEEP 2         /* keep-N of a prune's policy */
#define W 3            /* writers: 0 and 1 before the crash, 2 after it */
#define MAXT 4         /* greatest time of an id: 3 puts, then 1 after the crash */
#define NID 15         /* ids: id = time * W + unique part (0 to 2), 3..14; 0 is none */
#define PUTS0 2        /* puts of writer 0 */
#define PUTS1 1        /* puts of writer 1 */
#ifndef READERS
#define READERS 1
#endif

/* Who does a step, in a replayed trail: a writer (0 to 2), or the cleaner. */
#define CLEANER 9

/* Sets of ids, as bitmasks. */
#define BIT(x) (1 << (x))
#define HAS(set, x) (((set) >> (x)) & 1)

/* The store: what processes see (_v), and what a crash keeps (_d). */
unsigned cur_v : NID;   /* names in cur/ */
unsigned old_v : NID;   /* names in old/ */
unsigned cur_d : NID;
unsigned old_d : NID;
unsigned moving : NID;  /* renamed from cur/ to old/, the rename not yet durable */
unsigned lasting : NID; /* the file named id has its bytes on disk (fsync'd) */
byte tmpf[W];           /* writer w's file in tmp/: 0 none, else 1 + the boot
                         * (epoch) that created it, which its name records */
byte now = 1;           /* the wall clock, in id times */
byte epoch;             /* the boot: 0, and 1 after the crash */
byte alive;             /* processes of epoch 0 that have not stopped */

/* Ghosts: what the properties talk about, not part of the store. */
unsigned acked : NID;   /* a put returned this id, and no cleaner removed it */
unsigned inflight : NID;/* committed, its put has not returned, no cleaner removed it */
byte maxack;            /* the greatest id a put returned */
bit committed;          /* some version was committed (and survived the crash) */
unsigned lost : NID;    /* names the crash left without their bytes */

/* I4, in every state: the greatest id in the store is in cur/.  cur_v and
 * the ids only in old/ are disjoint sets, so the greater of the two
 * bitmasks holds the greatest id. */
#define NEWEST_IN_CUR (cur_v > (old_v & ~cur_v) || (cur_v | old_v) == 0)

/* g := the greatest id in set (0: none). */
inline greatest(set, g)
{
	g = NID - 1;
	do
	:: g > 0 && !HAS(set, g) -> g--
	:: else -> break
	od
}

/* fsync(2) of cur/: its names become durable, and so do the renames out of
 * it (a rename is one transaction: durable in both folders or in neither).
 * After the crash nothing is tracked: there is no second crash. */
inline fsync_cur()
{
	if
	:: epoch == 0 ->
		cur_d = cur_v;
		old_d = (old_d & ~moving) | (old_v & moving);
		moving = 0
	:: else
	fi
}

/* lib/head.c move_to_old: renameat(2) cur/ID to old/ID; ENOENT (moved or
 * removed by another process meanwhile) is fine.  No fsync: protocol.md 4. */
inline move_to_old(who, x, h)
{
	if
	:: HAS(cur_v, x) ->
		if
		:: who == CLEANER -> printf("MSC: cleaner moves cur/%d to old/\n", x)
		:: else -> printf("MSC: writer %d moves cur/%d to old/\n", who, x)
		fi;
		assert(cur_v >> (x + 1) != 0); /* [newest-stays]: a greater id stays in cur/ */
		cur_v = cur_v & ~BIT(x);
#ifdef DELETE_THEN_RENAME
		h = x /* (cur/ID removed; old/ID comes in a later step) */
#else
		old_v = old_v | BIT(x);
		if
		:: epoch == 0 -> moving = moving | BIT(x)
		:: else
		fi
#endif
	:: else
	fi
}

#ifdef DELETE_THEN_RENAME
#define HFREE && h == 0
#else
#define HFREE
#endif

/* Head trim, lib/head.c statusdir__head_trim, for a put (P9, extra = its
 * new id) and for prune (step 2, extra = 0): walk the listing lst newest
 * first, counting the greater ids of each, the put's own id included; move
 * each listed id that has HEAD greater ones, one rename(2) a step. */
inline head_trim(who, lst, extra, x, c, h)
{
#ifndef MOVE_NEWEST
	x = NID - 1;
	c = 0;
	do
	:: d_step {
		x > 0 HFREE ->
		do
		:: x > 0 && x == extra -> c++; x--
		:: x > 0 && x != extra && !HAS(lst, x) -> x--
		:: x > 0 && x != extra && HAS(lst, x) && c < HEAD -> c++; x--
		:: x > 0 && x != extra && HAS(lst, x) && c >= HEAD -> break
		:: x == 0 -> break
		od;
		if
		:: x > 0 -> move_to_old(who, x, h); c++; x--
		:: else -> c = 0; lst = 0
		fi
	   }
#else
	/* (sorted oldest first: the comparison the wrong way round) */
	x = 1;
	c = (extra != 0 -> 1 : 0);
	do
	:: d_step {
		x < NID HFREE ->
		do
		:: x < NID && !HAS(lst, x) -> x++
		:: x < NID && HAS(lst, x) && c < HEAD -> c++; x++
		:: x < NID && HAS(lst, x) && c >= HEAD -> break
		:: x == NID -> break
		od;
		if
		:: x < NID -> move_to_old(who, x, h); c++; x++
		:: else -> x = 0; c = 0; lst = 0
		fi
	   }
#endif
#ifdef DELETE_THEN_RENAME
	:: d_step { h != 0 -> old_v = old_v | BIT(h); h = 0 } /* (old/ID created) */
#endif
	:: else -> break
	od
}

/* lib/prune.c prune_versions: list cur/, then old/ (lib/list.c list_all),
 * rank newest first, and remove each removable version (removable: rank
 * >= keep, or older than the age limit, which for ids in time order is
 * every rank from some cut on: cut 0, all too old, or cut KEEP; never rank
 * 0).  Every version is intact, so newest_intact_to_keep keeps nothing
 * more.  remove_version: unlinkat(2) cur/ID, and on ENOENT old/ID. */
inline prune_versions(who, lst, x, c, cut, pend)
{
	lst = cur_v;
	atomic {
		lst = lst | old_v;
		if
		:: cut = 0
		:: cut = KEEP
		fi;
		if
		:: who == CLEANER -> printf("MSC: cleaner lists cur/, old/ to prune ranks >= %d\n", cut)
		:: else -> printf("MSC: writer %d lists cur/, old/ to prune ranks >= %d\n", who, cut)
		fi;
		x = NID
	}
	do
	:: d_step {
		!pend && x > 0 ->
		x--;
		do
		:: x > 0 && !HAS(lst, x) -> x--
#ifdef PRUNE_NEWEST
		:: x > 0 && HAS(lst, x) && c < cut -> c++; x--
		:: x > 0 && HAS(lst, x) && c >= cut -> break
#else
		:: x > 0 && HAS(lst, x) && (c == 0 || c < cut) -> c++; x--
		:: x > 0 && HAS(lst, x) && c > 0 && c >= cut -> break
#endif
		:: x == 0 -> break
		od;
		if
		:: x > 0 ->
			c++;
			if
			:: HAS(cur_v, x) ->
				if
				:: who == CLEANER -> printf("MSC: cleaner prunes cur/%d\n", x)
				:: else -> printf("MSC: writer %d prunes cur/%d\n", who, x)
				fi;
				assert(cur_v >> (x + 1) != 0); /* [newest-stays]: never the newest */
				cur_v = cur_v & ~BIT(x);
				acked = acked & ~BIT(x);
				inflight = inflight & ~BIT(x)
			:: else -> pend = 1
			fi
		:: else -> c = 0; cut = 0; lst = 0
		fi
	   }
	:: d_step {
		pend ->
		if
		:: HAS(old_v, x) ->
			if
			:: who == CLEANER -> printf("MSC: cleaner prunes old/%d\n", x)
			:: else -> printf("MSC: writer %d prunes old/%d\n", who, x)
			fi;
			assert(cur_v >> (x + 1) != 0); /* [newest-stays] */
			old_v = old_v & ~BIT(x);
			acked = acked & ~BIT(x);
			inflight = inflight & ~BIT(x)
		:: else
		fi;
		pend = 0
	   }
	:: !pend && x == 0 -> break
	od
}

/* A process of epoch 0 stops at the crash: "unless" aborts it, and resets
 * its locals so that states after the crash do not differ by what it was
 * doing.  Each one that ends, or stops, is counted out. */
#define DONE if :: mine == 0 -> alive-- :: else fi

/* lib/put.c statusdir_put_begin, _write, _commit: writer w makes puts
 * puts, with the unique part u in its ids. */
proctype writer(byte w; byte puts; byte u)
{
	byte mine = epoch, n, t, g, id, start, x, c, h;
#ifdef RETENTION
	byte cut;
	bit pend;
#endif
	unsigned lst : NID;
	{
	do
	:: atomic {
		n < puts ->
		/* P1 to P5 touch only this writer's own file in tmp/ and read
		 * cur/ once: one step. */
		start = maxack;        /* the put starts (I8) */
		tmpf[w] = mine + 1;    /* P1: create tmp/NAME, O_EXCL */
		/* P2: write every byte; P3: fsync the file (its effect is at
		 * P6: lasting); P4: close */
#ifdef FSYNC_CUR_EARLY
		fsync_cur();           /* (P7 before P6) */
		printf("MSC: writer %d fsyncs cur/ (before the rename)\n", w);
#endif
		/* P5: list cur/ (statusdir__list_cur), next_time:
		 * time = max(now, greatest in cur/ + 1) */
		lst = cur_v;
		d_step { greatest(lst, g) };
		t = now;
		if
		:: now++               /* time passes, */
		:: skip                /* or not: two puts may read the same time */
		fi;
#ifndef CLOCK_ONLY
		if
		:: g / W + 1 > t -> t = g / W + 1
		:: else
		fi;
#endif
		assert(t <= MAXT);     /* [bound]: the model's ids suffice */
		id = t * W + u;        /* u: the unique part */
		printf("MSC: writer %d P1-P5: id %d (greatest put returned: %d)\n", w, id, start);
		assert(id > start);    /* [ordered]: I8, above every put that returned before */
		g = 0; t = 0; start = 0
	   };
		/* P6: publish, renameat2(tmp/NAME, cur/ID, RENAME_NOREPLACE) */
		d_step {
			assert(tmpf[w] == mine + 1); /* [live-tmp-kept]: I11, no cleaner took it */
			assert(!HAS(cur_v, id));     /* [no-replace]: I5 */
			printf("MSC: writer %d P6: cur/%d\n", w, id);
			cur_v = cur_v | BIT(id);
#ifndef LINK_FALLBACK
			tmpf[w] = 0;
#endif
			committed = 1;
			inflight = inflight | BIT(id);
#if !defined(NO_FSYNC_FILE) && !defined(FSYNC_FILE_LATE)
			lasting = lasting | BIT(id)  /* P3 came before */
#endif
		}
#ifdef LINK_FALLBACK
		tmpf[w] = 0;                   /* unlinkat(tmp/NAME) after linkat */
#endif
#ifdef FSYNC_FILE_LATE
		d_step {
			lasting = lasting | BIT(id);   /* (P3 after P6) */
			printf("MSC: writer %d fsyncs the file of %d\n", w, id)
		}
#endif
		/* P7: fsync cur/; P8 (has-versions) is not modelled.  The put is
		 * counted as returned here, before P9 and P10: spec/model.md. */
		d_step {
#if !defined(NO_FSYNC_CUR) && !defined(FSYNC_CUR_EARLY)
			fsync_cur();
			printf("MSC: writer %d P7: fsync cur/\n", w);
#endif
			printf("MSC: writer %d: put returns %d\n", w, id);
			acked = acked | (inflight & BIT(id));
			inflight = inflight & ~BIT(id);
			if
			:: id > maxack -> maxack = id
			:: else
			fi;
			n++
		}
		/* P9: the head trim, of the P5 listing plus the new id */
		head_trim(w, lst, id, x, c, h);
		id = 0;
#ifdef RETENTION
		/* P10: statusdir__apply_retention, the rules of prune */
		prune_versions(w, lst, x, c, cut, pend);
#endif
	:: else -> break
	od;
	atomic { n = 0; DONE } /* (atomic: a break may not jump into a d_step) */
	} unless { d_step { epoch != mine ->
		n = 0; t = 0; g = 0; id = 0; start = 0; x = 0; c = 0; h = 0; lst = 0;
#ifdef RETENTION
		cut = 0; pend = 0;
#endif
		DONE } }
}

/* The answer "no version" (-ENOENT): right only if no version was ever
 * committed. */
#define NO_VERSION printf("MSC: reader: no version\n"); assert(!committed)

/* g := the id that get of the newest takes from its listing */
#ifndef GET_OLDEST
#define newest(set, g) greatest(set, g)
#else
inline newest(set, g) /* (the least) */
{
	g = 1;
	do
	:: g < NID && !HAS(set, g) -> g++
	:: g == NID -> g = 0; break
	:: else -> break
	od
}
#endif

/* lib/get.c stage_request, lib/read.c statusdir__open_version. */
proctype reader()
{
	byte mine = epoch, g, need, a;
	bit found;
	{
	/* 5.1, get the newest (lib/read.c open_newest): list cur/
	 * (lib/scan.c statusdir__greatest_in_cur), take the greatest, open
	 * it (open_in); if it vanished, list again.  The get starts with its
	 * listing: every put that returned before it must be there, or a
	 * newer version. */
	d_step {
		need = maxack;
		newest(cur_v, g);
		printf("MSC: reader lists cur/: %d\n", g);
		if
		:: g == 0 -> NO_VERSION /* [never-missing] */
		:: else
		fi
	}
	do
	:: d_step {
		g != 0 ->
		if
		:: HAS(cur_v, g) ->
			printf("MSC: reader gets the newest: %d (greatest put returned: %d)\n", g, need);
			assert(!HAS(lost, g)); /* [whole]: never a partial version */
			assert(g >= need);     /* [fresh]: that put's version or a newer one */
			g = 0; need = 0
#ifdef NEWEST_NO_RETRY
		:: else -> NO_VERSION; g = 0 /* [never-missing] */
#else
		:: else ->
			/* vanished: look again */
			newest(cur_v, g);
			printf("MSC: reader: vanished; lists cur/ again: %d\n", g);
			if
			:: g == 0 -> NO_VERSION /* [never-missing] */
			:: else
			fi
#endif
		fi
	   }
	:: g == 0 -> break
	od;
	/* 5.2, get by id (lib/read.c open_by_id): the oldest id that a put
	 * returned and no cleaner removed (the one that the head trim moves
	 * first); open cur/ID, and if it is not there, old/ID */
	atomic {
		a = 1;
		do
		:: a < NID && !HAS(acked, a) -> a++
		:: a < NID && HAS(acked, a) -> break
		:: a == NID -> a = 0; break
		od;
		if
		:: a != 0 ->
#ifdef HISTORY_BEFORE_CUR
			found = HAS(old_v, a);
			printf("MSC: reader opens old/%d: %d\n", a, found)
#else
			found = HAS(cur_v, a);
			printf("MSC: reader opens cur/%d: %d\n", a, found)
#endif
		:: else
		fi
	}
	d_step {
		if
		:: a != 0 && !found ->
#ifdef HISTORY_BEFORE_CUR
			found = HAS(cur_v, a);
			printf("MSC: reader opens cur/%d: %d\n", a, found);
#else
			found = HAS(old_v, a);
			printf("MSC: reader opens old/%d: %d\n", a, found);
#endif
			/* an acknowledged version is found unless pruned */
			assert(found || !HAS(acked, a)) /* [by-id] */
		:: else
		fi;
		assert(!found || !HAS(lost, a)); /* [whole] */
		a = 0; found = 0;
		DONE
	}
	} unless { d_step { epoch != mine -> g = 0; need = 0; a = 0; found = 0; DONE } }
}

/* lib/prune.c statusdir_prune: the sweep, the head trim, the policy. */
proctype cleaner()
{
	byte mine = epoch, x, c, cut, h;
	bit pend;
	unsigned lst : NID;
	{
	/* 1. lib/tmpsweep.c statusdir__tmp_sweep, sweep_one, is_stale: remove
	 * each file in tmp/ whose writer is gone, here: whose name records
	 * another boot (lib/tmpname.c statusdir__tmp_writer_gone) */
	d_step {
		x = 0;
		do
		:: x < W ->
			if
#ifdef SWEEP_FRESH_TMP
			:: tmpf[x] != 0 ->
#else
			:: tmpf[x] != 0 && tmpf[x] != mine + 1 ->
#endif
				printf("MSC: cleaner sweeps the tmp/ file of writer %d\n", x);
				tmpf[x] = 0
			:: else
			fi;
			x++
		:: else -> x = 0; break
		od
	}
	/* 2. trim_head: list cur/ (statusdir__list_ids), statusdir__head_trim */
	lst = cur_v;
	head_trim(CLEANER, lst, 0, x, c, h);
	/* 3. prune_versions */
	prune_versions(CLEANER, lst, x, c, cut, pend);
	atomic { DONE }
	} unless { d_step { epoch != mine -> x = 0; c = 0; cut = 0; h = 0; pend = 0; lst = 0; DONE } }
}

/* [newest-in-cur], I4 in every state: blocked until it is false. */
proctype monitor()
{
end:	d_step { !NEWEST_IN_CUR -> assert(NEWEST_IN_CUR) /* [newest-in-cur] */ }
}

/* The crash: the directories as of their last fsync or journal commit,
 * the bytes of files that were fsync'd; every process stops; the clock is
 * wrong after the restart. */
inline crash(i)
{
	d_step {
		epoch = 1;
		cur_v = cur_d;
		old_v = old_d;
		moving = 0;
		inflight = 0;
		printf("MSC: CRASH; what is left:");
		i = 1;
		do
		:: i < NID ->
			if
			:: HAS(cur_v, i) -> printf(" cur/%d", i)
			:: else
			fi;
			if
			:: HAS(old_v, i) -> printf(" old/%d", i)
			:: else
			fi;
			if
			:: HAS(cur_v | old_v, i) && !HAS(lasting, i) -> printf(" (%d: bytes lost)", i)
			:: else
			fi;
			i++
		:: else -> printf("\n"); i = 0; break
		od;
		/* every put that returned is still there, unless pruned */
		assert((acked & ~(cur_v | old_v)) == 0); /* [durable] */
		lost = (cur_v | old_v) & ~lasting;
		/* no name is left without its bytes */
		assert(lost == 0); /* [whole] */
		committed = (cur_v | old_v) != 0;
		lasting = 0;
		now = 1
	}
	/* the restart, once every process has stopped */
	atomic {
		alive == 0;
		run writer(2, 1, 2);
		run reader();
		run cleaner()
	}
}

init
{
	byte i;
	atomic {
		run monitor();
		alive = 3 + READERS;
		/* the unique parts decide between ids of the same time: either
		 * writer's may be the greater */
		if
		:: run writer(0, PUTS0, 0); run writer(1, PUTS1, 1)
		:: run writer(0, PUTS0, 1); run writer(1, PUTS1, 0)
		fi;
		i = 0;
		do
		:: i < READERS -> run reader(); i++
		:: else -> i = 0; break
		od;
		run cleaner()
	}
	do
	/* the filesystem writes back the directories by itself (a journal
	 * commit): every rename and unlink so far becomes durable */
	:: d_step { epoch == 0 && (cur_d != cur_v || old_d != old_v) ->
		printf("MSC: journal commit: every rename and unlink so far is durable\n");
		cur_d = cur_v; old_d = old_v; moving = 0 }
	:: crash(i); break  /* at any moment */
	:: alive == 0 -> break /* or never */
	od
}
