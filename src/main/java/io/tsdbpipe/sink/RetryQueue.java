package io.tsdbpipe.sink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The entries a writer holds for a retry, oldest first, in groups that share a due time ({@link System#nanoTime}).
 * Used on the task thread only.
 */
final class RetryQueue<E> {

    private static final class Group<E> {
        final ArrayDeque<E> entries;
        long dueNanos;

        Group(List<E> entries, long dueNanos) {
            this.entries = new ArrayDeque<>(entries);
            this.dueNanos = dueNanos;
        }
    }

    private final ArrayDeque<Group<E>> groups = new ArrayDeque<>();
    private int size;
    private long earliestDueNanos = Long.MAX_VALUE;

    /** Adds entries at the end; entries due at the same time as the last group join it. */
    void add(List<E> entries, long dueNanos) {
        if (entries.isEmpty()) {
            return;
        }
        Group<E> last = groups.peekLast();
        if (last != null && last.dueNanos == dueNanos) {
            last.entries.addAll(entries);
        } else {
            groups.addLast(new Group<>(entries, dueNanos));
        }
        added(entries.size(), dueNanos);
    }

    /** Adds entries at the front (they were the oldest when they were sent). */
    void addFirst(List<E> entries, long dueNanos) {
        if (entries.isEmpty()) {
            return;
        }
        groups.addFirst(new Group<>(entries, dueNanos));
        added(entries.size(), dueNanos);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean hasDue(long nowNanos) {
        return size > 0 && earliestDueNanos - nowNanos <= 0;
    }

    /** Makes every entry due now (the TSD is back: what waited for it goes first). */
    void makeAllDue(long nowNanos) {
        for (Group<E> g : groups) {
            g.dueNanos = Math.min(g.dueNanos, nowNanos);
        }
        earliestDueNanos = groups.isEmpty() ? Long.MAX_VALUE : Math.min(earliestDueNanos, nowNanos);
    }

    /** Takes up to {@code max} entries, oldest first: of the groups due at {@code nowNanos}, or of any with {@code anyDue}. */
    List<E> take(int max, long nowNanos, boolean anyDue) {
        List<E> taken = new ArrayList<>(Math.min(max, size));
        Iterator<Group<E>> it = groups.iterator();
        while (it.hasNext() && taken.size() < max) {
            Group<E> g = it.next();
            if (!anyDue && g.dueNanos - nowNanos > 0) {
                continue;
            }
            while (!g.entries.isEmpty() && taken.size() < max) {
                taken.add(g.entries.pollFirst());
            }
            if (g.entries.isEmpty()) {
                it.remove();
            }
        }
        size -= taken.size();
        earliestDueNanos = Long.MAX_VALUE;
        for (Group<E> g : groups) {
            earliestDueNanos = Math.min(earliestDueNanos, g.dueNanos);
        }
        return taken;
    }

    /** Every entry, oldest first (for a checkpoint). */
    List<E> entries() {
        List<E> all = new ArrayList<>(size);
        for (Group<E> g : groups) {
            all.addAll(g.entries);
        }
        return all;
    }

    private void added(int n, long dueNanos) {
        size += n;
        earliestDueNanos = Math.min(earliestDueNanos, dueNanos);
    }
}
