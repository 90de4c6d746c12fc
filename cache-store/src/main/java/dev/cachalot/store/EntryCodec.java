package dev.cachalot.store;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The versioned binary form of a disk head record: all variants stored under one primary key.
 *
 * <p>Layout (version 2, big-endian): magic {@code 0xCA}, version byte, generation (long), primary
 * (int length + bytes), variant count, then per variant: variant bytes (int length + bytes), entry
 * id (long), head version (int), body length (long), body CRC32C (int), chunk size (int), status
 * (int), request/response/retain-until times (long epoch second + int nano each), field count and
 * name/value pairs (int length + UTF-8 each); last, a CRC32C of everything before it. A record
 * that fails any check decodes to {@link CorruptRecordException}, never to a wrong head.
 *
 * <p>The generation orders the two head slots a primary key has on disk (the disk tier writes a
 * new record into the slot that does not hold the current one, so a crash mid-write can only
 * damage the superseded slot; readers take the valid record with the higher generation). Version
 * 1 (no generation, one slot per primary) is not readable by this code: the disk tier moves such
 * files aside at start-up.
 */
public final class EntryCodec {
  /** First byte of every record. */
  public static final byte MAGIC = (byte) 0xCA;
  /** The format version written by this code. */
  public static final byte VERSION = 2;
  /** Offset of the generation (a long) in every record. */
  static final int GENERATION_OFFSET = 2;
  /** Smallest possible record: magic, version, generation, primary length, count, CRC. */
  private static final int MIN_LENGTH = 2 + 8 + 4 + 4 + 4;

  private EntryCodec() {}

  /**
   * One stored variant: its identity, body description and head.
   *
   * @param variant the variant bytes of the key
   * @param entryId the body's stable id (chunk keys derive from it)
   * @param headVersion 0 at commit, +1 per head replacement
   * @param bodyLength body length in bytes
   * @param bodyCrc CRC32C of the whole body
   * @param chunkBytes chunk size the body was written with
   * @param head the caller's head
   */
  public record Variant(
      byte[] variant, long entryId, int headVersion, long bodyLength, int bodyCrc, int chunkBytes,
      EntryHead head) {

    /** True when this variant's bytes equal {@code other}. */
    public boolean hasVariant(byte[] other) {
      return Arrays.equals(variant, other);
    }

    /** A copy with a replaced head and the head version raised by one. */
    public Variant withHead(EntryHead newHead) {
      return new Variant(variant, entryId, headVersion + 1, bodyLength, bodyCrc, chunkBytes, newHead);
    }
  }

  /**
   * All variants under one primary key.
   *
   * @param primary the primary bytes
   * @param generation the record's generation (higher = newer; 0 for a group not yet written)
   * @param variants the variants, oldest write first
   */
  public record Group(byte[] primary, long generation, List<Variant> variants) {
    /** Freezes the list. */
    public Group {
      variants = List.copyOf(variants);
    }

    /** A group of not yet written variants (generation 0, set by {@link #withGeneration}). */
    public Group(byte[] primary, List<Variant> variants) {
      this(primary, 0, variants);
    }

    /** The same variants with another generation. */
    public Group withGeneration(long newGeneration) {
      return new Group(primary, newGeneration, variants);
    }

    /** The variant with these bytes, or null. */
    public Variant find(byte[] variant) {
      for (Variant v : variants) {
        if (v.hasVariant(variant)) {
          return v;
        }
      }
      return null;
    }
  }

  /** A record that cannot be decoded (bad magic, version, lengths or checksum). */
  public static final class CorruptRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with the failed check. */
    public CorruptRecordException(String message) {
      super(message);
    }
  }

  /** Encodes a group. */
  public static byte[] encode(Group group) {
    List<byte[][]> fieldBytes = new ArrayList<>(group.variants().size());
    int size = 2 + 8 + 4 + group.primary().length + 4 + 4;
    for (Variant v : group.variants()) {
      size += 4 + v.variant().length + 8 + 4 + 8 + 4 + 4 + 4 + 3 * 12 + 4;
      List<HeaderField> fields = v.head().fields();
      byte[][] fb = new byte[fields.size() * 2][];
      for (int i = 0; i < fields.size(); i++) {
        fb[2 * i] = fields.get(i).name().getBytes(StandardCharsets.UTF_8);
        fb[2 * i + 1] = fields.get(i).value().getBytes(StandardCharsets.UTF_8);
        size += 8 + fb[2 * i].length + fb[2 * i + 1].length;
      }
      fieldBytes.add(fb);
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(MAGIC).put(VERSION).putLong(group.generation());
    b.putInt(group.primary().length).put(group.primary());
    b.putInt(group.variants().size());
    for (int n = 0; n < group.variants().size(); n++) {
      Variant v = group.variants().get(n);
      b.putInt(v.variant().length).put(v.variant());
      b.putLong(v.entryId()).putInt(v.headVersion()).putLong(v.bodyLength()).putInt(v.bodyCrc())
          .putInt(v.chunkBytes());
      EntryHead h = v.head();
      b.putInt(h.status());
      putInstant(b, h.requestTime());
      putInstant(b, h.responseTime());
      putInstant(b, h.retainUntil());
      byte[][] fb = fieldBytes.get(n);
      b.putInt(fb.length / 2);
      for (byte[] part : fb) {
        b.putInt(part.length).put(part);
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * Checks a record's length, checksum, magic and version and returns its generation (without
   * decoding the variants).
   */
  public static long generation(byte[] record) throws CorruptRecordException {
    return header(record).getLong(GENERATION_OFFSET);
  }

  /** Checks length, checksum, magic and version; returns a buffer positioned after the generation. */
  private static ByteBuffer header(byte[] record) throws CorruptRecordException {
    if (record == null || record.length < MIN_LENGTH) {
      throw new CorruptRecordException("record too short");
    }
    CRC32C crc = new CRC32C();
    crc.update(record, 0, record.length - 4);
    ByteBuffer b = ByteBuffer.wrap(record);
    if (b.getInt(record.length - 4) != (int) crc.getValue()) {
      throw new CorruptRecordException("record checksum mismatch");
    }
    if (b.get(0) != MAGIC) {
      throw new CorruptRecordException("bad magic");
    }
    if (b.get(1) != VERSION) {
      throw new CorruptRecordException("unsupported record version " + b.get(1));
    }
    b.limit(record.length - 4);
    b.position(GENERATION_OFFSET + 8);
    return b;
  }

  /** Decodes a group, checking magic, version, every length and the checksum. */
  public static Group decode(byte[] record) throws CorruptRecordException {
    ByteBuffer b = header(record);
    try {
      long generation = b.getLong(GENERATION_OFFSET);
      byte[] primary = bytes(b);
      int count = count(b);
      List<Variant> variants = new ArrayList<>(count);
      for (int n = 0; n < count; n++) {
        variants.add(variant(b, bytes(b)));
      }
      if (b.hasRemaining()) {
        throw new CorruptRecordException("trailing bytes");
      }
      return new Group(primary, generation, variants);
    } catch (BufferUnderflowException | IllegalArgumentException | DateTimeException
        | ArithmeticException e) {
      throw new CorruptRecordException("malformed record: " + e);
    }
  }

  /**
   * Finds one variant in a record without decoding the others (the lookup path): checks the
   * record like {@link #decode} does (checksum, magic, version, lengths of everything it passes),
   * compares the primary bytes in place and skips other variants by their lengths.
   *
   * @return the variant, or null when the record belongs to another primary or has no such variant
   */
  public static Variant findVariant(byte[] record, StoreKey key) throws CorruptRecordException {
    ByteBuffer b = header(record);
    byte[] variant = key.variantArray();
    try {
      if (!skipIfEqual(b, key.primaryArray())) {
        return null;
      }
      int count = count(b);
      for (int n = 0; n < count; n++) {
        if (skipIfEqual(b, variant)) {
          return variant(b, key.variant());
        }
        skipVariantBody(b);
      }
      return null;
    } catch (BufferUnderflowException | IllegalArgumentException | DateTimeException
        | ArithmeticException e) {
      throw new CorruptRecordException("malformed record: " + e);
    }
  }

  private static int count(ByteBuffer b) throws CorruptRecordException {
    int count = b.getInt();
    if (count < 0 || count > 65536) {
      throw new CorruptRecordException("bad variant count " + count);
    }
    return count;
  }

  /** Reads the rest of a variant after its variant bytes. */
  private static Variant variant(ByteBuffer b, byte[] variant) throws CorruptRecordException {
    long entryId = b.getLong();
    int headVersion = b.getInt();
    long bodyLength = b.getLong();
    int bodyCrc = b.getInt();
    int chunkBytes = b.getInt();
    int status = b.getInt();
    Instant req = getInstant(b);
    Instant resp = getInstant(b);
    Instant retain = getInstant(b);
    int fieldCount = b.getInt();
    if (fieldCount < 0 || fieldCount > b.remaining() / 8) {
      throw new CorruptRecordException("bad field count " + fieldCount);
    }
    HeaderField[] fields = new HeaderField[fieldCount];
    for (int i = 0; i < fieldCount; i++) {
      fields[i] = new HeaderField(string(b), string(b));
    }
    if (entryId < 0 || bodyLength < 0 || chunkBytes <= 0) {
      throw new CorruptRecordException("bad body description");
    }
    return new Variant(variant, entryId, headVersion, bodyLength, bodyCrc, chunkBytes,
        new EntryHead(status, Arrays.asList(fields), req, resp, retain));
  }

  /** Skips a variant after its variant bytes, checking every length it passes. */
  private static void skipVariantBody(ByteBuffer b) throws CorruptRecordException {
    b.position(b.position() + 8 + 4 + 8 + 4 + 4 + 4 + 3 * 12);
    int fieldCount = b.getInt();
    if (fieldCount < 0 || fieldCount > b.remaining() / 8) {
      throw new CorruptRecordException("bad field count " + fieldCount);
    }
    for (int i = 0; i < 2 * fieldCount; i++) {
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) {
        throw new CorruptRecordException("bad length " + len);
      }
      b.position(b.position() + len);
    }
  }

  /** Reads a length-prefixed byte string; true (and moves past it) when it equals {@code want}. */
  private static boolean skipIfEqual(ByteBuffer b, byte[] want) throws CorruptRecordException {
    int len = b.getInt();
    if (len < 0 || len > b.remaining()) {
      throw new CorruptRecordException("bad length " + len);
    }
    int at = b.position();
    b.position(at + len);
    return len == want.length && Arrays.equals(b.array(), at, at + len, want, 0, len);
  }

  private static void putInstant(ByteBuffer b, Instant t) {
    b.putLong(t.getEpochSecond()).putInt(t.getNano());
  }

  private static Instant getInstant(ByteBuffer b) {
    long sec = b.getLong();
    int nano = b.getInt();
    return Instant.ofEpochSecond(sec, nano);
  }

  private static byte[] bytes(ByteBuffer b) throws CorruptRecordException {
    int len = b.getInt();
    if (len < 0 || len > b.remaining()) {
      throw new CorruptRecordException("bad length " + len);
    }
    byte[] out = new byte[len];
    b.get(out);
    return out;
  }

  private static String string(ByteBuffer b) throws CorruptRecordException {
    int len = b.getInt();
    if (len < 0 || len > b.remaining()) {
      throw new CorruptRecordException("bad length " + len);
    }
    String s = new String(b.array(), b.position(), len, StandardCharsets.UTF_8);
    b.position(b.position() + len);
    return s;
  }
}
