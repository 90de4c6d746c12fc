package dev.cachalot.server;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.ResponseHead;
import java.time.Instant;
import java.util.Objects;

/**
 * A hit's response head as a per-entry-version {@link Template} plus the few values that change with
 * the request's second: the Age (RFC 9111 §5.1), the {@code ttl} of our Cache-Status entry (RFC 9211
 * §2.4) and, when the stored head has none, the Date the cache adds (RFC 9110 §6.6.1). A
 * {@link ResponseSink} encodes the template once (its encodings are cached in the template) and
 * writes only these values per request, so an object hit once a second costs no more head work than
 * one hit a thousand times a second. {@link #head()} gives the whole head for sinks that want it.
 */
public final class PreparedHead {
    /** What a hole of a template holds. */
    enum Hole {
        /** The Age value: decimal seconds. */
        AGE,
        /** Our Cache-Status entry: {@code prefix + ttl + suffix}. */
        STATUS,
        /** The Date the cache added: IMF-fixdate of the request's second. */
        DATE
    }

    /**
     * The per-entry-version part of a hit head: the shaped head whose varying field values (Age, our
     * Cache-Status entry, an added Date) are placeholders, found by identity (each placeholder is a
     * String object of its own, so no other value can be mistaken for one, and encoders can find
     * them wherever their header order puts them). Immutable apart from the sinks' encoding slots.
     */
    public static final class Template {
        private final ResponseHead head;
        private final int ageIndex;
        private final int statusIndex;
        private final int dateIndex;
        private final String statusPrefix;
        private final String statusSuffix;
        private final Object key;
        /** The Undertow sink's encoded form, built on first use (benign race: equal encodings may be built twice). */
        private volatile Object encoded;
        /** The hit shortcut's wire template ({@link WireHead#template}), built on first use (same benign race). */
        private volatile Object wire;
        /** How many times a sink encoded this template (tests: once per template and body length, not per request). */
        volatile int encodings;

        /**
         * @param shaped       the head as shaped for one request
         * @param ageIndex     the field index of Age in {@code shaped}, or -1 when it has none
         * @param statusIndex  the field index of our Cache-Status entry, or -1 when it is not to vary
         * @param statusPrefix the entry's text before the ttl digits (e.g. {@code Cachalot;hit;ttl=})
         * @param statusSuffix the entry's text after them (e.g. {@code ;detail=...}, usually empty)
         * @param dateIndex    the field index of a Date added for the request's second, or -1 when the
         *                     stored head has its own Date
         * @param key          what the owner matches the template by (opaque here)
         */
        public Template(ResponseHead shaped, int ageIndex, int statusIndex, String statusPrefix, String statusSuffix,
                        int dateIndex, Object key) {
            HeaderFields h = shaped.headers();
            check(ageIndex, h);
            check(statusIndex, h);
            check(dateIndex, h);
            if (statusIndex >= 0) {
                Objects.requireNonNull(statusPrefix, "statusPrefix");
                Objects.requireNonNull(statusSuffix, "statusSuffix");
            }
            if (ageIndex < 0 && statusIndex < 0 && dateIndex < 0) {
                this.head = shaped;
            } else {
                HeaderFields.Builder b = HeaderFields.builder();
                for (int i = 0; i < h.size(); i++) {
                    // A placeholder is a String object of its own (it shares the characters of the value).
                    boolean hole = i == ageIndex || i == statusIndex || i == dateIndex;
                    String v = hole ? new String(h.value(i)) : h.value(i);
                    b.add(h.name(i), v);
                }
                this.head = shaped.withHeaders(b.build());
            }
            this.ageIndex = ageIndex;
            this.statusIndex = statusIndex;
            this.dateIndex = dateIndex;
            // Every entry's template has the same text around the ttl (usually): keep one copy of it.
            StatusText shared = lastStatusText;
            if (statusPrefix != null && !(statusPrefix.equals(shared.prefix) && statusSuffix.equals(shared.suffix))) {
                shared = new StatusText(statusPrefix, statusSuffix);
                lastStatusText = shared;
            }
            this.statusPrefix = statusPrefix == null ? null : shared.prefix;
            this.statusSuffix = statusSuffix == null ? null : shared.suffix;
            this.key = key;
        }

        /** A template without varying values: every request gets {@code head} as it is. */
        public static Template fixed(ResponseHead head) {
            return new Template(head, -1, -1, null, null, -1, null);
        }

        private static void check(int index, HeaderFields h) {
            if (index < -1 || index >= h.size()) {
                throw new IllegalArgumentException("field index " + index + " out of 0.." + (h.size() - 1));
            }
        }

        /** What the owner matches this template by. */
        public Object key() {
            return key;
        }

        /** The template head (placeholders in the holes): status, reason and field order of every answer. */
        ResponseHead head() {
            return head;
        }

        /** The hole whose placeholder is exactly {@code value} (identity), or null for a fixed value. */
        Hole holeOf(String value) {
            HeaderFields h = head.headers();
            if (ageIndex >= 0 && value == h.value(ageIndex)) {
                return Hole.AGE;
            }
            if (statusIndex >= 0 && value == h.value(statusIndex)) {
                return Hole.STATUS;
            }
            if (dateIndex >= 0 && value == h.value(dateIndex)) {
                return Hole.DATE;
            }
            return null;
        }

        String statusPrefix() {
            return statusPrefix;
        }

        String statusSuffix() {
            return statusSuffix;
        }

        Object encoded() {
            return encoded;
        }

        void encoded(Object e) {
            encoded = e;
        }

        Object wire() {
            return wire;
        }

        void wire(Object w) {
            wire = w;
        }
    }

    /** The Cache-Status text around the ttl of the last template built (shared by the next ones when equal). */
    private record StatusText(String prefix, String suffix) {}

    private static volatile StatusText lastStatusText = new StatusText("", "");

    /** The IMF-fixdate of one second, shared by every request in that second. */
    private record DateText(long second, String text) {}

    private static volatile DateText lastDate = new DateText(Long.MIN_VALUE, "");

    private final Template template;
    private final long age;
    private final long ttl;
    private final long second;

    /**
     * @param age    the Age value to send, already clamped (RFC 9111 §1.2.2)
     * @param ttl    the Cache-Status ttl to send, already clamped
     * @param second the epoch second of the request (for an added Date)
     */
    public PreparedHead(Template template, long age, long ttl, long second) {
        this.template = Objects.requireNonNull(template, "template");
        this.age = age;
        this.ttl = ttl;
        this.second = second;
    }

    /** A head sent as it is (no varying values). */
    public PreparedHead(ResponseHead head) {
        this(Template.fixed(head), 0, 0, 0);
    }

    /** The per-version part this head was made from. */
    public Template template() {
        return template;
    }

    /** The Age value this head sends. */
    public long age() {
        return age;
    }

    /** The Cache-Status ttl this head sends. */
    public long ttl() {
        return ttl;
    }

    /** The epoch second of the request (for an added Date). */
    public long second() {
        return second;
    }

    /** The whole head as the pipeline shaped it (hop-by-hop fields not yet removed), built per call. */
    public ResponseHead head() {
        ResponseHead t = template.head;
        if (template.ageIndex < 0 && template.statusIndex < 0 && template.dateIndex < 0) {
            return t;
        }
        HeaderFields h = t.headers();
        HeaderFields.Builder b = HeaderFields.builder();
        for (int i = 0; i < h.size(); i++) {
            String v = h.value(i);
            Hole hole = template.holeOf(v);
            b.add(h.name(i), hole == null ? v : text(hole));
        }
        return t.withHeaders(b.build());
    }

    /** The value of {@code hole} for this request. */
    String text(Hole hole) {
        switch (hole) {
            case AGE:
                return Long.toString(age);
            case STATUS:
                return template.statusPrefix + ttl + template.statusSuffix;
            default:
                return dateText(second);
        }
    }

    /** IMF-fixdate of {@code second}, formatted once per second for all heads. */
    static String dateText(long second) {
        DateText d = lastDate;
        if (d.second != second) {
            d = new DateText(second, HttpDates.format(Instant.ofEpochSecond(second)));
            lastDate = d;
        }
        return d.text;
    }
}
