/* model.pml - the statusdir protocols as a Promela model, checked by spin.
 *
 * Two writers put, a reader gets the newest version and then a version by
 * id, a cleaner prunes, and a crash may strike at any moment and drop
 * everything not yet fsync'd: file contents and directory entries,
 * separately.  After the crash a writer, a reader and a cleaner (which
 * now also sweeps the writers' orphaned tmp/ files) run on what is left.
 * spec/model.md maps every step to the code, states the properties, gives
 * the state-space sizes and shows that each MUTATION below is caught.
 *
 *   tests/analysis/spin.sh       (the model, then every mutation), or
 *   spin -a spec/model.pml && cc -O2 -DSAFETY -DCOLLAPSE -o pan pan.c && ./pan -E
 *
 * MUTATION: one step removed or moved; spin must then report a violation.
 *   1  put does not fsync cur/ (P7)
 *   2  a lookup by id tries old/ before cur/ (protocol.md 5.2)
 *   3  prune may remove the greatest id (protocol.md 6)
 *   4  put does not fsync the file (P3)
 *   5  the id's time is the clock alone, without "greatest + 1" (P5)
 *   6  put fsyncs the file after the rename into cur/ (P3 after P6)
 *   7  put fsyncs cur/ before the rename into cur/ (P7 before P6)
 */
#ifndef MUTATION
#define MUTATION 0
#endif
#ifndef R
#define R 1            /* readers before the crash: 1 or 2 */
#endif
#define W 2            /* writers */
#define PUTS0 2        /* puts of writer 0 before the crash */
#define PUTS1 1        /* puts of writer 1 before the crash */
#define HEAD 2         /* the head trim keeps this many newest in cur/ */
#define KEEP 2         /* the cleaner's keep-N */
#define MAXT 5         /* greatest time of an id */
#define NID 12         /* ids 2..11: id = time * W + writer; 0 is none */

/* Sets of ids, as bitmasks. */
#define BIT(x) (1 << (x))
#define HAS(set, x) (((set) >> (x)) & 1)

/* A writer's file in tmp/. */
#define NOFILE 0
#define LIVE 1         /* its writer is running */
#define ORPHAN 2       /* its writer is gone (crashed) */

/* A writer's file contents. */
#define WRITTEN 1      /* complete in the page cache, not durable */
#define DURABLE 2      /* fsync'd */

/* The store: what processes see (_v), and what a crash keeps (_d). */
unsigned cur_v : NID;   /* names in cur/ */
unsigned old_v : NID;   /* names in old/ */
unsigned cur_d : NID;
unsigned old_d : NID;
unsigned moving : NID;  /* renamed cur/ -> old/, not yet durable */
unsigned whole : NID;   /* the file named id holds all its bytes */
unsigned lasting : NID; /* ... durably */
byte tmpf[W];           /* each writer's file in tmp/ */
byte wcont[W];          /* and its contents */
byte now = 1;           /* the wall clock, in id times */

/* Ghosts: what the properties talk about. */
unsigned acked : NID;   /* a put returned 0 with this id */
unsigned pruned : NID;  /* a cleaner removed it, by policy */
byte maxack;            /* the greatest acknowledged id */
byte epoch;             /* 1 after the crash */
byte alive;             /* processes of epoch 0 not yet ended */

/* g := the greatest id in set (0: none). */
inline greatest(set, g)
{
	g = NID - 1;
	do
	:: g > 0 && !HAS(set, g) -> g--
	:: else -> break
	od
}

/* rename(2) cur/x to old/x; no fsync, by design (protocol.md 4). */
inline move_to_old(w, x)
{
	if
	:: HAS(cur_v, x) ->
		printf("MSC: writer %d P9: cur/%d to old/\n", w, x);
		assert(cur_v >> (x + 1) != 0); /* the newest never leaves cur/ */
		cur_v = cur_v & ~BIT(x);
		old_v = old_v | BIT(x);
		moving = moving | BIT(x)
	:: else -> skip /* ENOENT: moved or removed by another process */
	fi
}

/* P9, the head trim: of the P5 listing lst plus the new id, every id with
 * at least HEAD greater ids is moved to old/, one rename a step. */
inline head_trim(extra, x, c)
{
	x = NID - 1;
	c = 0;
	do
	:: x > 0 ->
		atomic {
			do
			:: x > 0 && !(HAS(lst, x) || x == extra) -> x--
			:: x > 0 && (HAS(lst, x) || x == extra) && (x == extra || c < HEAD) -> c++; x--
			:: else -> break
			od;
			if
			:: x > 0 -> move_to_old(w, x); c++; x--
			:: else -> x = 0; c = 0; lst = 0
			fi
		}
	:: else -> break
	od
}

/* fsync(2) of cur/: its names become durable, and so do the renames out of
 * it (a rename is one transaction: durable in both folders or neither). */
inline fsync_cur()
{
	cur_d = cur_v;
	old_d = (old_d & ~moving) | (old_v & moving);
	moving = 0
}

/* A process of epoch 0 stops at the crash: "unless" aborts it, and resets
 * its locals so that the states after the crash do not differ by what it
 * was doing.  Each one that ends, or stops, is counted out. */
#define DONE if :: mine == 0 -> alive-- :: else fi

proctype writer(byte w)
{
	byte mine = epoch, n, t, g, id, start, x, c;
	unsigned lst : NID;
	{
	do
	:: n < (mine == 1 -> 1 : (w == 0 -> PUTS0 : PUTS1)) ->
		/* One step from the start of the put to its id: the steps in
		 * between touch only this writer's file in tmp/, which no other
		 * process looks at (the sweep takes only orphans). */
		atomic {
			start = maxack;        /* the put starts (I8) */
			tmpf[w] = LIVE;        /* P1: create tmp/NAME */
			wcont[w] = WRITTEN;    /* P2: write every byte */
#if MUTATION != 4 && MUTATION != 6
			wcont[w] = DURABLE;    /* P3: fsync the file */
#endif
#if MUTATION == 7
			fsync_cur();           /* (P7 too early) */
			printf("MSC: writer %d P7: fsync cur/\n", w);
#endif
			/* P5: list cur/; time = max(now, greatest in cur/ + 1) */
			lst = cur_v;
			greatest(cur_v, g);
			t = now;
			now++;                 /* time passes */
#if MUTATION != 5
			if
			:: g / W + 1 > t -> t = g / W + 1
			:: else
			fi;
#endif
			g = 0;
			if
			:: t > MAXT -> tmpf[w] = NOFILE; break /* the model's bound */
			:: else -> id = t * W + w; t = 0
			fi;
			printf("MSC: writer %d P1-P5: id %d (greatest put returned %d)\n", w, id, start);
			assert(id > start); /* I8: above every put that returned before */
			start = 0
		}
		/* P6: rename tmp/NAME to cur/ID, never replacing a name */
		atomic {
			if
			:: tmpf[w] == LIVE ->
				assert(!HAS(cur_v, id));
				cur_v = cur_v | BIT(id);
				whole = whole | BIT(id);
				if
				:: wcont[w] == DURABLE -> lasting = lasting | BIT(id)
				:: else -> lasting = lasting & ~BIT(id)
				fi;
				tmpf[w] = NOFILE; wcont[w] = 0;
				printf("MSC: writer %d P6: cur/%d\n", w, id)
			:: else -> break /* the sweep took the file: the put fails */
			fi
		}
#if MUTATION == 6
		lasting = lasting | BIT(id); /* (P3 too late) */
		printf("MSC: writer %d P3: fsync the file of %d\n", w, id);
#endif
		atomic {
#if MUTATION != 1 && MUTATION != 7
			fsync_cur();           /* P7: fsync cur/ */
			printf("MSC: writer %d P7: fsync cur/\n", w);
#endif
			/* put returns 0 */
			printf("MSC: writer %d: put returns %d\n", w, id);
			acked = acked | BIT(id);
			if
			:: id > maxack -> maxack = id
			:: else
			fi;
			n++
		}
		/* P9 */
		head_trim(id, x, c);
		id = 0
	:: else -> break
	od;
	atomic { n = 0; DONE }
	} unless { atomic { epoch != mine -> n = 0; t = 0; g = 0; id = 0; start = 0; x = 0; c = 0; lst = 0; DONE } }
}

/* g := the greatest id in cur/, by one listing; an empty listing is
 * believed only if no put returned and old/ is empty too. */
inline list_newest(g)
{
	greatest(cur_v, g);
	if
	:: g == 0 -> assert(maxack == 0 && old_v == 0)
	:: else
	fi
}

proctype reader(byte r)
{
	byte mine = epoch, g, need, a;
	bit found;
	{
	/* 5.1: get the newest.  The get starts with its listing: every put
	 * that returned before it must be there, or a newer version. */
	atomic { need = maxack; list_newest(g) }
	do
	:: g == 0 -> need = 0; break
	:: g != 0 ->
		atomic {
			if
			:: HAS(cur_v, g) ->      /* open: it is there */
				printf("MSC: reader gets the newest: %d\n", g);
				assert(HAS(whole, g)); /* never a partial version */
				assert(g >= need);     /* that put's version or a newer one */
				g = 0; need = 0;
				break
			:: else                   /* vanished: look again */
			fi
		}
		atomic { list_newest(g) }
	od;
	/* 5.2: get by id the oldest acknowledged version not pruned (the
	 * one that the head trim moves first): cur/, then old/ */
	atomic {
		a = 1;
		do
		:: a < NID && !(HAS(acked, a) && !HAS(pruned, a)) -> a++
		:: a < NID && HAS(acked, a) && !HAS(pruned, a) -> break
		:: a == NID -> a = 0; break
		od;
		if
		:: a != 0 ->
#if MUTATION == 2
			found = HAS(old_v, a)
#else
			found = HAS(cur_v, a)
#endif
		:: else
		fi
	}
	if
	:: a != 0 ->
		atomic {
			if
			:: !found ->
#if MUTATION == 2
				found = HAS(cur_v, a)
#else
				found = HAS(old_v, a)
#endif
			:: else
			fi;
			printf("MSC: reader gets %d by id: found %d\n", a, found);
			assert(!found || HAS(whole, a)); /* never partial */
			assert(found || HAS(pruned, a)); /* missing only if pruned */
			a = 0; found = 0
		}
	:: else
	fi;
	atomic { DONE }
	} unless { atomic { epoch != mine -> g = 0; need = 0; a = 0; found = 0; DONE } }
}

proctype cleaner()
{
	byte mine = epoch, x, rank, old;
	unsigned all : NID;
	{
	/* 7: the stale-tmp sweep takes files whose writer is gone, never a
	 * live writer's (there are none to take before the crash) */
	if
	:: mine == 1 ->
		atomic {
			x = 0;
			do
			:: x < W && tmpf[x] == ORPHAN -> tmpf[x] = NOFILE; x++
			:: x < W && tmpf[x] != ORPHAN -> x++
			:: else -> x = 0; break
			od
		}
	:: else
	fi;
	/* 6: prune: list cur/, then old/; remove every rank >= KEEP, and every
	 * rank >= old (max-age: ids are in time order, so the versions too old
	 * are the ranks from some point on, chosen freely here); never rank 0,
	 * the greatest id */
	all = cur_v;
	atomic {
		all = all | old_v;
		if
		:: old = 0
		:: old = 1
		:: old = KEEP
		fi
	}
	x = NID - 1;
	rank = 0;
	do
	:: x > 0 ->
		atomic {
			do
			:: x > 0 && !HAS(all, x) -> x--
#if MUTATION == 3
			:: x > 0 && HAS(all, x) && rank < KEEP && rank < old -> rank++; x--
			:: x > 0 && HAS(all, x) && (rank >= KEEP || rank >= old) -> break
#else
			:: x > 0 && HAS(all, x) && (rank == 0 || rank < KEEP && rank < old) -> rank++; x--
			:: x > 0 && HAS(all, x) && rank > 0 && (rank >= KEEP || rank >= old) -> break
#endif
			:: else -> break
			od;
			if
			:: x > 0 ->
				/* unlink cur/ID, else old/ID (moves go one way) */
				if
				:: HAS(cur_v | old_v, x) ->
					printf("MSC: cleaner prunes %d\n", x);
					assert(cur_v >> (x + 1) != 0); /* the newest is never pruned */
					cur_v = cur_v & ~BIT(x);
					old_v = old_v & ~BIT(x);
					pruned = pruned | BIT(x)
				:: else
				fi;
				rank++; x--
			:: else -> x = 0; rank = 0; all = 0; old = 0
			fi
		}
	:: else -> break
	od;
	atomic { DONE }
	} unless { atomic { epoch != mine -> x = 0; rank = 0; all = 0; old = 0; DONE } }
}

/* The crash: what was not fsync'd is gone; every process stops. */
inline crash(i)
{
	atomic {
		epoch = 1;
		cur_v = cur_d;
		old_v = old_d;
		moving = 0;
		whole = lasting;
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
			:: HAS(cur_v | old_v, i) && !HAS(whole, i) -> printf(" (%d: contents lost)", i)
			:: else
			fi;
			i++
		:: else -> printf("\n"); break
		od;
		/* an acknowledged put is still there, and whole, unless pruned */
		assert((acked & ~pruned & ~(cur_v | old_v)) == 0);
		assert(((cur_v | old_v) & ~whole) == 0);
		i = 0;
		do
		:: i < W && tmpf[i] != NOFILE -> tmpf[i] = ORPHAN; wcont[i] = 0; i++
		:: i < W && tmpf[i] == NOFILE -> i++
		:: else -> i = 0; break
		od;
		now = 1 /* and the clock is wrong after the restart */
	}
	/* the restart, once every process has stopped */
	atomic {
		alive == 0;
		run writer(0);
		run reader(0);
		run cleaner()
	}
}

init
{
	byte i;
	atomic {
		alive = W + R + 1;
		i = 0;
		do
		:: i < W -> run writer(i); i++
		:: else -> break
		od;
		i = 0;
		do
		:: i < R -> run reader(i); i++
		:: else -> break
		od;
		run cleaner();
		i = 0
	}
	if
	:: crash(i)   /* at any moment */
	:: alive == 0 /* or never */
	fi
}
